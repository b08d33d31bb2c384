package dev.gatehouse.controlapi.apitoken;

import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The caller's own API tokens. */
@RestController
class ApiTokenController {

    private final ApiTokenService service;

    ApiTokenController(ApiTokenService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Create a scoped API token (shown once)")
    @PostMapping("/api-tokens")
    @ResponseStatus(HttpStatus.CREATED)
    @AuthenticatedRoute
    ApiTokenService.Created create(@Valid @RequestBody ApiTokenService.CreateRequest request) {
        return service.create(request);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List your API tokens")
    @GetMapping("/api-tokens")
    @AuthenticatedRoute
    Page<ApiTokenStore.TokenView> list(@Valid PageRequest page) {
        return service.list(page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Revoke one of your API tokens")
    @DeleteMapping("/api-tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @AuthenticatedRoute
    void revokeApiToken(@PathVariable UUID id) {
        service.revoke(id);
    }
}
