package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.controlapi.problem.Problems;
import dev.gatehouse.controlapi.access.PublicRoute;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised before any controller runs (a URL the firewall rejects, a servlet error) are
 * answered as problem+json too, instead of the container's default page or JSON.
 */
@RestController
@io.swagger.v3.oas.annotations.Hidden
class ProblemErrorController implements ErrorController {

    @RequestMapping("/error")
    @PublicRoute("renders errors of requests that were already refused")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(code instanceof Integer)) {
            // Called directly, not as the container's error dispatch: there is no such endpoint.
            code = 404;
        }
        int status = (Integer) code;
        ErrorCode error = ErrorCode.forStatus(status);
        ProblemDetail problem = Problems.of(error, error == ErrorCode.INTERNAL ? "internal error" : error.title(),
                Map.of());
        problem.setStatus(status);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (uri instanceof String s) {
            problem.setInstance(URI.create(s.replace(" ", "%20").replaceAll("[^A-Za-z0-9/%._~:@!$&'()*+,;=-]", "")));
        }
        return ResponseEntity.status(HttpStatus.valueOf(status == 0 ? 500 : status))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
