package dev.gatehouse.controlapi.user;

import dev.gatehouse.controlapi.access.AccessPolicy.TenantFilter;
import dev.gatehouse.controlapi.access.TenantScope;
import dev.gatehouse.controlapi.web.OffsetPage;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SearchText;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * People: JPA entities through Spring Data, the tenant filter from {@link TenantScope} (a person
 * with the self-service role sees only themselves). The username check stays SQL, in the two
 * shapes the (tenant, lower(username)) index serves.
 */
@Component
class UserRepository {

    private final PersonRecords people;
    private final JdbcClient jdbc;
    private final Clock clock;

    UserRepository(PersonRecords people, JdbcClient jdbc, Clock clock) {
        this.people = people;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Optional<UserDtos.UserResponse> find(UUID id) {
        return people.findById(id).map(Person::response);
    }

    Page<UserDtos.UserResponse> list(TenantFilter filter, UUID tenant, String status, String q, Sort sort,
                                     PageRequest page) {
        List<Specification<Person>> where = new ArrayList<>();
        where.add(TenantScope.visibleTo(filter, "tenantId", "id"));
        if (tenant != null) {
            where.add((root, query, cb) -> cb.equal(root.get("tenantId"), tenant));
        }
        if (status != null) {
            where.add((root, query, cb) -> cb.equal(root.get("status"), status));
        }
        String pattern = SearchText.containsPattern(q);
        if (pattern != null) {
            where.add((root, query, cb) -> cb.or(cb.like(cb.lower(root.get("username")), pattern, '\\'),
                    cb.like(cb.lower(cb.coalesce(root.get("email"), "")), pattern, '\\'),
                    cb.like(cb.lower(cb.coalesce(root.get("displayName"), "")), pattern, '\\')));
        }
        var found = people.findAll(Specification.allOf(where), OffsetPage.of(page, sort));
        return new Page<>(found.getContent().stream().map(Person::response).toList(), found.getTotalElements(), page);
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
        return people.saveAndFlush(new Person(tenantId, username, email, displayName, passwordHash, note,
                clock.instant())).id();
    }

    /** Flushed at once: sessions and the desired state read the person's status in SQL next. */
    void update(UUID id, UserDtos.UserUpdateRequest r) {
        Person person = people.findById(id).orElseThrow();
        person.update(r, clock.instant());
        people.saveAndFlush(person);
    }

    void setPassword(UUID id, String hash) {
        Person person = people.findById(id).orElseThrow();
        person.setPassword(hash, clock.instant());
        people.saveAndFlush(person);
    }

    void delete(UUID id) {
        people.deleteById(id);
        people.flush();
    }
}
