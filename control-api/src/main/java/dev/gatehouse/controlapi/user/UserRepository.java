package dev.gatehouse.controlapi.user;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SearchText;
import dev.gatehouse.controlapi.person.People;
import dev.gatehouse.controlapi.person.Person;
import dev.gatehouse.controlapi.person.PersonRecords;
import dev.gatehouse.domain.model.UserStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * People as the API shows them: read through Spring Data with the tenant filter from
 * {@link TenantScope} (a person with the self-service role sees only themselves), written through
 * {@link People}. The username check stays SQL, in the two shapes the (tenant, lower(username))
 * index serves.
 */
@Component
class UserRepository {

    private final PersonRecords people;
    private final People writer;
    private final JdbcClient jdbc;

    UserRepository(PersonRecords people, People writer, JdbcClient jdbc) {
        this.people = people;
        this.writer = writer;
        this.jdbc = jdbc;
    }

    Optional<UserDtos.UserResponse> find(UUID id) {
        return people.findById(id).map(UserRepository::response);
    }

    private static UserDtos.UserResponse response(Person p) {
        return new UserDtos.UserResponse(p.id(), p.tenantId(), p.username(), p.email(), p.displayName(),
                p.status(), p.platformAdmin(), p.hasPassword(), p.lastLoginAt(), p.note(), p.createdAt(),
                p.updatedAt());
    }

    Page<UserDtos.UserResponse> list(TenantFilter filter, UUID tenant, UserStatus status, String q, Sort sort,
                                     PageRequest page) {
        List<Specification<Person>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(filter, "tenantId", "id"));
        if (tenant != null) {
            where.add((root, query, cb) -> cb.equal(root.get("tenantId"), tenant));
        }
        if (status != null) {
            where.add((root, query, cb) -> cb.equal(root.get("status"), status.db()));
        }
        String pattern = SearchText.containsPattern(q);
        if (pattern != null) {
            where.add((root, query, cb) -> cb.or(cb.like(cb.lower(root.get("username")), pattern, '\\'),
                    cb.like(cb.lower(cb.coalesce(root.get("email"), "")), pattern, '\\'),
                    cb.like(cb.lower(cb.coalesce(root.get("displayName"), "")), pattern, '\\')));
        }
        var found = people.findAll(Specification.allOf(where), OffsetPage.of(page, sort));
        return new Page<>(found.getContent().stream().map(UserRepository::response).toList(), found.getTotalElements(),
                page);
    }

    boolean usernameTaken(UUID tenantId, String username) {
        // Two shapes, so that both use the (tenant_id, lower(username)) index; IS NOT DISTINCT FROM cannot.
        JdbcClient.StatementSpec query = tenantId == null
                ? jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id IS NULL AND lower(username) = ?)")
                        .param(username)
                : jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = ? AND lower(username) = ?)")
                        .params(tenantId, username);
        return query.query(Boolean.class).single();
    }

    UUID insert(UUID tenantId, String username, String email, String displayName, String passwordHash, String note) {
        return writer.create(tenantId, username, email, displayName, passwordHash, note);
    }

    void update(UUID id, UserDtos.UserUpdateRequest r) {
        writer.update(id, r.email(), r.displayName(), r.status(),
                r.note());
    }

    void setPassword(UUID id, String hash) {
        writer.setPassword(id, hash);
    }

    void delete(UUID id) {
        writer.delete(id);
    }
}
