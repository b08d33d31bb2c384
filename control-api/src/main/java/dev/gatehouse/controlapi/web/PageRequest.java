package dev.gatehouse.controlapi.web;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Paging of every list: {@code limit} (1 to 200, default 50) and {@code offset}. A limit outside
 * the range is a 400 naming the parameter, never a silently huge page.
 */
public record PageRequest(
        @io.swagger.v3.oas.annotations.media.Schema(description = "items per page", defaultValue = "50")
        @Min(1) @Max(200) Integer limit,
        @io.swagger.v3.oas.annotations.media.Schema(description = "items to skip", defaultValue = "0")
        @Min(0) @Max(1_000_000) Integer offset) {

    public PageRequest {
        limit = limit == null ? 50 : limit;
        offset = offset == null ? 0 : offset;
    }
}
