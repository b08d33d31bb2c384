package dev.gatehouse.controlapi.web;

import java.util.List;

/** One page of a list, with the total that matches the filter. */
public record Page<T>(List<T> items, long total, int limit, int offset) {

    public Page(List<T> items, long total, PageRequest request) {
        this(items, total, request.limit(), request.offset());
    }
}
