package dev.gatehouse.controlapi.problem;

import dev.gatehouse.controlapi.database.DatabaseCircuit;
import dev.gatehouse.controlapi.request.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problem documents, and writes them where no controller is involved (filters). */
public final class Problems {

    /** The answer while PostgreSQL is away: 503 with Retry-After, the same from a filter or a controller. */
    public static ApiException databaseUnavailable() {
        long seconds = DatabaseCircuit.OPEN_FOR.toSeconds();
        return new ApiException(ErrorCode.UNAVAILABLE, "the database is unavailable; try again in " + seconds + " s",
                Map.of("retry_after_seconds", seconds));
    }

    /** Spring MVC's own mix-in: the properties (request_id among them) at the top level, as RFC 9457 has them. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .addMixIn(ProblemDetail.class, org.springframework.http.converter.json.ProblemDetailJacksonMixin.class)
            .build();

    private Problems() {
    }

    public static ProblemDetail of(ErrorCode code, String detail, Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(code.status(), detail);
        problem.setType(URI.create(code.type()));
        problem.setTitle(code.title());
        properties.forEach(problem::setProperty);
        String requestId = RequestContext.currentRequestId();
        if (requestId != null) {
            problem.setProperty("request_id", requestId);
        }
        return problem;
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String detail)
            throws IOException {
        write(request, response, code, detail, Map.of());
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String detail,
                             Map<String, Object> properties) throws IOException {
        ProblemDetail problem = of(code, detail, properties);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(code.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }
}
