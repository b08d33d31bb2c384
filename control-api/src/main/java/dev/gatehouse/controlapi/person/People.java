package dev.gatehouse.controlapi.person;

import dev.gatehouse.domain.model.UserStatus;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The one writer of the people table: the people feature, sign-in, sessions, the first admin and
 * bulk creation all change people here. Each write is flushed at once, since SQL (sessions, the
 * desired state) reads people's rows next in the same transaction.
 */
@Component
public class People {

    /** People made by one bulk request, in the order of the names; or the first name already taken. */
    public record Made(List<UUID> ids, String takenName) {
    }

    private final PersonRecords people;
    private final JdbcClient jdbc;
    private final Clock clock;

    People(PersonRecords people, JdbcClient jdbc, Clock clock) {
        this.people = people;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public UUID create(UUID tenantId, String username, String email, String displayName, String passwordHash,
                       String note) {
        return people.saveAndFlush(new Person(tenantId, username, email, displayName, passwordHash, note,
                clock.instant())).id();
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public UUID createPlatformAdmin(String username, String passwordHash) {
        return people.saveAndFlush(Person.platformAdmin(username, passwordHash, clock.instant())).id();
    }

    /**
     * VPN end users without a login, in one statement: a bulk request of 500 is one insert, and the
     * unique index decides which names are taken, whatever the statistics say.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Made createMany(UUID tenantId, List<String> usernames) {
        Map<String, UUID> made = new HashMap<>();
        jdbc.sql("""
                        INSERT INTO users (tenant_id, username, created_at, updated_at, sessions_valid_after)
                        SELECT ?, n, ?, ?, ? FROM unnest(?::text[]) WITH ORDINALITY AS u(n, i) ORDER BY i
                        ON CONFLICT DO NOTHING
                        RETURNING id, username""")
                .params(tenantId, now(), now(), now(), usernames.toArray(String[]::new))
                .query(rs -> {
                    made.put(rs.getString(2), rs.getObject(1, UUID.class));
                });
        for (String name : usernames) {
            if (!made.containsKey(name)) {
                return new Made(null, name);
            }
        }
        return new Made(usernames.stream().map(made::get).toList(), null);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void update(UUID id, String email, String displayName, UserStatus status, String note) {
        change(id, p -> p.update(email, displayName, status, note, clock.instant()));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void setPassword(UUID id, String hash) {
        change(id, p -> p.setPassword(hash, clock.instant()));
    }

    /** The same password hashed with today's parameters (at sign-in); not a password change. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void rehash(UUID id, String hash) {
        change(id, p -> p.rehash(hash));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void signedIn(UUID id) {
        change(id, p -> p.signedIn(clock.instant()));
    }

    /** Tokens issued before now are refused from now on. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void endSessions(UUID id) {
        change(id, p -> p.endSessions(clock.instant()));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void delete(UUID id) {
        people.deleteById(id);
        people.flush();
    }

    private void change(UUID id, Consumer<Person> change) {
        people.findById(id).ifPresent(p -> {
            change.accept(p);
            people.saveAndFlush(p);
        });
    }

    private java.sql.Timestamp now() {
        return java.sql.Timestamp.from(clock.instant());
    }
}
