package dev.gatehouse.controlapi.access;

import jakarta.persistence.criteria.Predicate;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.jpa.domain.Specification;

/**
 * The tenant filter of every JPA list, in one place: the rows a caller may see for a module are
 * those of the tenants where it holds the permission tenant-wide, and its own rows in the tenants
 * where it holds it only for itself; everything for a platform admin.
 */
public final class TenantScope {

    private TenantScope() {
    }

    /**
     * @param tenantAttribute the entity attribute holding the tenant id ({@code id} for tenants)
     * @param ownerAttribute  the attribute holding the owning person, or null where nothing is "own"
     */
    public static <T> Specification<T> visibleTo(AccessPolicy.TenantFilter filter, String tenantAttribute,
                                                 String ownerAttribute) {
        return (root, query, cb) -> {
            if (filter.all()) {
                return cb.conjunction();
            }
            List<Predicate> allowed = new ArrayList<>();
            if (!filter.tenantWide().isEmpty()) {
                allowed.add(root.get(tenantAttribute).in(filter.tenantWide()));
            }
            if (ownerAttribute != null && !filter.selfOnly().isEmpty() && filter.userId() != null) {
                allowed.add(cb.and(root.get(tenantAttribute).in(filter.selfOnly()),
                        cb.equal(root.get(ownerAttribute), filter.userId())));
            }
            return allowed.isEmpty() ? cb.disjunction() : cb.or(allowed.toArray(Predicate[]::new));
        };
    }

    /** The same rule as a SQL condition with its parameters, for the reads that stay in SQL (traffic). */
    public record SqlCondition(String sql, List<Object> params) {
    }

    /**
     * @param tenantColumn the column holding the tenant id
     * @param ownerColumn  the column holding the owning person
     */
    public static SqlCondition sql(AccessPolicy.TenantFilter filter, String tenantColumn, String ownerColumn) {
        if (filter.all()) {
            return new SqlCondition("TRUE", List.of());
        }
        return new SqlCondition("(" + tenantColumn + " = ANY(?) OR (" + tenantColumn + " = ANY(?) AND " + ownerColumn
                + " = ?))", List.of(filter.tenantWideArray(), filter.selfOnlyArray(),
                filter.userId() == null ? new java.util.UUID(0, 0) : filter.userId()));
    }
}
