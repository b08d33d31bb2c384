package dev.gatehouse.controlapi.web;

import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;

/**
 * The {@code limit}/{@code offset} of a {@link PageRequest} as a Spring Data {@link Pageable}, whose
 * own pages only start at multiples of their size.
 */
public record OffsetPage(int limit, long offset, Sort sort) implements Pageable {

    public static OffsetPage of(PageRequest request, Sort sort) {
        return new OffsetPage(request.limit(), request.offset(), sort);
    }

    @Override
    public int getPageNumber() {
        return (int) (offset / limit);
    }

    @Override
    public int getPageSize() {
        return limit;
    }

    @Override
    public long getOffset() {
        return offset;
    }

    @Override
    public Sort getSort() {
        return sort;
    }

    @Override
    public Pageable next() {
        return new OffsetPage(limit, offset + limit, sort);
    }

    @Override
    public Pageable previousOrFirst() {
        return new OffsetPage(limit, Math.max(0, offset - limit), sort);
    }

    @Override
    public Pageable first() {
        return new OffsetPage(limit, 0, sort);
    }

    @Override
    public Pageable withPage(int pageNumber) {
        return new OffsetPage(limit, (long) pageNumber * limit, sort);
    }

    @Override
    public boolean hasPrevious() {
        return offset > 0;
    }
}
