package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.problem.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's error report for requests it refuses itself, before any filter or servlet runs (a path
 * with {@code %00}, an encoded slash or a broken escape): problem+json with a request id, in place
 * of the container's HTML page. Errors that reach Spring are answered by {@code ProblemHandler} and
 * {@code ProblemErrorController}, which leave a committed or written response alone.
 */
public class ProblemReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ProblemReportValve.class);

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ErrorCode code = ErrorCode.forStatus(status);
        String requestId = UUID.randomUUID().toString();
        log.info("request refused by the server before routing: status {}, request id {}", status, requestId);
        String body = "{\"type\":\"" + code.type() + "\",\"title\":\"" + code.title() + "\",\"status\":" + status
                + ",\"detail\":\"" + (status == 400 ? "the request line or path cannot be read" : code.title())
                + "\",\"request_id\":\"" + requestId + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader(RequestIdFilter.HEADER, requestId);
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            log.debug("could not write the error report", e);
        }
    }
}
