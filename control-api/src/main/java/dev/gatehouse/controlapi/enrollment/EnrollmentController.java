package dev.gatehouse.controlapi.enrollment;

import dev.gatehouse.controlapi.access.PublicRoute;
import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class EnrollmentController {

    private final EnrollmentService service;

    EnrollmentController(EnrollmentService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "Enrol a node's agent: its one-time token and a CSR for its client certificate, the CA bundle and the collector's address")
    @PostMapping("/nodes/enroll")
    @PublicRoute("the one-time enrollment token is the credential")
    EnrollmentDtos.Enrolled enroll(@Valid @RequestBody EnrollmentDtos.EnrollRequest request) {
        return service.enroll(request);
    }
}
