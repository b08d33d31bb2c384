package dev.gatehouse.controlapi.problem;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import dev.gatehouse.controlapi.database.DatabaseOutage;
import dev.gatehouse.domain.model.DbEnum;
import dev.gatehouse.domain.support.DomainException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one mapper from exceptions to RFC 9457 problem documents. Clients see a stable type, a
 * readable detail and the request id; never a stack trace, SQL or class name.
 */
@RestControllerAdvice
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final DatabaseOutage outage;

    ProblemHandler(DatabaseOutage outage) {
        this.outage = outage;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, HttpServletRequest request) {
        ResponseEntity<ProblemDetail> response = respond(e.code(), e.getMessage(), e.properties(), request);
        Object retryAfter = e.properties().get("retry_after_seconds");
        if (retryAfter != null) {
            return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                    .header("Retry-After", retryAfter.toString()).body(response.getBody());
        }
        return response;
    }

    /** A domain rule's refusal: its kind decides the problem type, its message is the detail. */
    @ExceptionHandler(DomainException.class)
    ResponseEntity<ProblemDetail> domain(DomainException e, HttpServletRequest request) {
        ErrorCode code = switch (e.kind()) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case CONFLICT -> ErrorCode.CONFLICT;
            case INVALID -> ErrorCode.VALIDATION_FAILED;
            case NOT_CONFIGURED -> ErrorCode.NOT_CONFIGURED;
        };
        return respond(code, e.getMessage(), e.details(), request);
    }

    @ExceptionHandler(org.springframework.validation.BindException.class)
    ResponseEntity<ProblemDetail> invalidParameters(org.springframework.validation.BindException e,
                                                    HttpServletRequest request) {
        List<Map<String, Object>> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.<String, Object>of("field", toSnakeCase(f.getField()),
                        "message", f.isBindingFailure() ? "has the wrong format" : String.valueOf(f.getDefaultMessage())))
                .toList();
        String detail = errors.stream().map(m -> m.get("field") + ": " + m.get("message"))
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return respond(ErrorCode.VALIDATION_FAILED, detail, Map.of("errors", errors), request);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<ProblemDetail> invalidParameters(HandlerMethodValidationException e, HttpServletRequest request) {
        List<Map<String, Object>> errors = e.getParameterValidationResults().stream()
                .flatMap(r -> r.getResolvableErrors().stream().map(err -> Map.<String, Object>of(
                        "field", toSnakeCase(err instanceof org.springframework.validation.FieldError f ? f.getField()
                                : r.getMethodParameter().getParameterName()),
                        "message", String.valueOf(err.getDefaultMessage()))))
                .toList();
        String detail = errors.stream().map(m -> m.get("field") + ": " + m.get("message"))
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return respond(ErrorCode.VALIDATION_FAILED, detail, Map.of("errors", errors), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String field = toSnakeCase(e.getName());
        String message = "has the wrong format";
        Class<?> type = e.getRequiredType();
        if (type != null && DbEnum.class.isAssignableFrom(type)) {
            @SuppressWarnings("unchecked")
            Class<? extends DbEnum> choices = (Class<? extends DbEnum>) type;
            message = DbEnum.choices(choices);
        }
        return respond(ErrorCode.VALIDATION_FAILED, field + ": " + message,
                Map.of("errors", List.of(Map.of("field", field, "message", message))), request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException e,
                                                   HttpServletRequest request) {
        return respond(ErrorCode.VALIDATION_FAILED, e.getParameterName() + ": is required",
                Map.of("errors", List.of(Map.of("field", e.getParameterName(), "message", "is required"))), request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.gatehouse.controlapi.problem.PayloadTooLargeException tooLarge) {
                return respond(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge.getMessage(), Map.of(), request);
            }
        }
        var choice = BodyErrors.fieldError(e);
        if (choice.isPresent()) {
            return respond(ErrorCode.VALIDATION_FAILED, choice.get().get("field") + ": " + choice.get().get("message"),
                    Map.of("errors", List.of(choice.get())), request);
        }
        return respond(ErrorCode.MALFORMED_REQUEST, BodyErrors.describe(e), Map.of(), request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return respond(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json", Map.of(), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return respond(ErrorCode.METHOD_NOT_ALLOWED, e.getMethod() + " is not supported here", Map.of(), request);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> noRoute(NoResourceFoundException e, HttpServletRequest request) {
        return respond(ErrorCode.NOT_FOUND, "no such endpoint", Map.of(), request);
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> denied(AccessDeniedException e, HttpServletRequest request) {
        return respond(ErrorCode.FORBIDDEN, "not allowed", Map.of(), request);
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<ProblemDetail> concurrentChange(OptimisticLockingFailureException e, HttpServletRequest request) {
        return respond(ErrorCode.CONFLICT, "the object was changed by another request; read it again", Map.of(),
                request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrity(DataIntegrityViolationException e, HttpServletRequest request) {
        log.info("integrity violation on {} {}: {}", request.getMethod(), request.getRequestURI(),
                e.getMostSpecificCause().getMessage());
        var missing = MissingReference.of(e);
        if (missing.isPresent()) {
            // An id in the body names nothing (a platform admin may name any tenant): the field, not a conflict.
            String field = missing.get();
            return respond(ErrorCode.NOT_FOUND, field + ": no such object",
                    Map.of("errors", List.of(Map.of("field", field, "message", "no such object"))), request);
        }
        return respond(ErrorCode.CONFLICT, "the change conflicts with existing data", Map.of(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        if (outage.explains(e)) {
            log.debug("database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return api(Problems.databaseUnavailable(), request);
        }
        log.error("unhandled error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return respond(ErrorCode.INTERNAL, "internal error; quote the request id when reporting it", Map.of(),
                request);
    }

    private static ResponseEntity<ProblemDetail> respond(ErrorCode code, String detail, Map<String, Object> props,
                                                         HttpServletRequest request) {
        ProblemDetail problem = Problems.of(code, detail, props);
        problem.setInstance(URI.create(request.getRequestURI()));
        return ResponseEntity.status(code.status())
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    static String toSnakeCase(String name) {
        return name == null ? "" : name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
