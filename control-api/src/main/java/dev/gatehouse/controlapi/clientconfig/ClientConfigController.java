package dev.gatehouse.controlapi.clientconfig;

import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.access.RequiresPermission;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** /users/{id}/configs (seed v0.1.1): engine-keyed client artifacts, honouring the engines in effect. */
@RestController
class ClientConfigController {

    private final ClientConfigService service;
    private final QrCodes qr;

    ClientConfigController(ClientConfigService service, QrCodes qr) {
        this.service = service;
        this.qr = qr;
    }

    @GetMapping("/users/{id}/wireguard/qr")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.READ)
    @io.swagger.v3.oas.annotations.Operation(summary = "QR code of the person's WireGuard config (SVG; format=png"
            + " for PNG; node=N for the N-th node); 403 when WireGuard is not among their engines")
    org.springframework.http.ResponseEntity<byte[]> wireguardQr(
            @PathVariable UUID id,
            @RequestParam(required = false, defaultValue = "svg") @jakarta.validation.constraints.Pattern(
                    regexp = "^(svg|png)$", message = "must be svg or png") String format,
            @RequestParam(required = false, defaultValue = "0") @Min(0) @Max(64) int node) {
        java.util.List<String> confs = service.wireguardConfs(id);
        if (node >= confs.size()) {
            throw dev.gatehouse.controlapi.problem.ApiException.notFound("WireGuard config " + node);
        }
        String conf = confs.get(node);
        return "png".equals(format)
                ? org.springframework.http.ResponseEntity.ok().contentType(org.springframework.http.MediaType.IMAGE_PNG)
                        .body(qr.png(conf, 6))
                : org.springframework.http.ResponseEntity.ok()
                        .contentType(org.springframework.http.MediaType.valueOf("image/svg+xml"))
                        .body(qr.svg(conf).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @GetMapping("/users/{id}/configs")
    @RequiresPermission(module = Module.SUBSCRIPTIONS, operation = Operation.READ)
    @io.swagger.v3.oas.annotations.Operation(summary = "A person's client configs by engine: Xray share links and"
            + " client JSON per inbound, a WireGuard .conf per node (socks_port: the client JSON's local port)")
    ClientConfigService.ConfigsResponse configs(@PathVariable UUID id,
                                                @RequestParam(name = "socks_port", required = false,
                                                        defaultValue = "10808") @Min(1024) @Max(65534) int socksPort) {
        return service.configs(id, socksPort);
    }
}
