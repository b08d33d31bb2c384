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

    ClientConfigController(ClientConfigService service) {
        this.service = service;
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
