package dev.gatehouse.controlapi.user;

import dev.gatehouse.domain.model.UserStatus;
import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.access.Escalation;
import dev.gatehouse.domain.node.DesiredState;
import dev.gatehouse.controlapi.access.Module;
import dev.gatehouse.controlapi.access.Operation;
import dev.gatehouse.controlapi.apitoken.ApiTokenStore;
import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.auth.Credentials;
import dev.gatehouse.controlapi.auth.PasswordHasher;
import dev.gatehouse.controlapi.auth.SessionService;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import dev.gatehouse.controlapi.web.SortOrder;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** People: operators who log in and VPN end users alike, each in one tenant. */
@Service
class UserService {

    private static final java.util.Map<String, SortOrder.Field> SORTS = java.util.Map.of(
            "username", SortOrder.Field.lowerCased("username"), "created_at", SortOrder.Field.of("createdAt"),
            "last_login_at", SortOrder.Field.of("lastLoginAt"), "status", SortOrder.Field.of("status"));

    private final UserRepository users;
    private final AccessPolicy access;
    private final AuditLog audit;
    private final Credentials credentials;
    private final PasswordHasher hasher;
    private final SessionService sessions;
    private final TransactionTemplate tx;
    private final Escalation escalation;
    private final DesiredState desired;
    private final ApiTokenStore apiTokens;
    private final Clock clock;

    UserService(UserRepository users, AccessPolicy access, AuditLog audit, Credentials credentials,
                PasswordHasher hasher, SessionService sessions, TransactionTemplate tx, Escalation escalation,
                DesiredState desired, ApiTokenStore apiTokens, Clock clock) {
        this.apiTokens = apiTokens;
        this.clock = clock;
        this.escalation = escalation;
        this.desired = desired;
        this.users = users;
        this.access = access;
        this.audit = audit;
        this.credentials = credentials;
        this.hasher = hasher;
        this.sessions = sessions;
        this.tx = tx;
    }

    Page<UserDtos.UserResponse> list(UUID tenant, UserStatus status, String q, String sort, PageRequest page) {
        org.springframework.data.domain.Sort order = SortOrder.sort(sort, SORTS, "username");
        return users.list(access.filter(Module.USERS), tenant, status, q, order, page);
    }

    UserDtos.UserResponse get(UUID id) {
        return visible(id, Operation.READ);
    }

    UserDtos.UserResponse create(UserDtos.UserCreateRequest request) {
        if (request.tenantId() == null) {
            access.requirePlatformAdmin();
        } else {
            access.check(Module.USERS, Operation.CREATE, request.tenantId(), null, "tenant");
        }
        String username = Credentials.username("username", request.username());
        String hash = null;
        if (request.password() != null) {
            credentials.checkNewPassword("password", request.password(), username);
            hash = hasher.hash(request.password());
        }
        String passwordHash = hash;
        return tx.execute(status -> {
            if (users.usernameTaken(request.tenantId(), username)) {
                throw ApiException.conflict("the username is taken in this tenant");
            }
            UUID id = users.insert(request.tenantId(), username, blankToNull(request.email()),
                    blankToNull(request.displayName()), passwordHash, blankToNull(request.note()));
            UserDtos.UserResponse created = users.find(id).orElseThrow();
            audit.record(request.tenantId(), "user.create", "user", id, null, created);
            return created;
        });
    }

    UserDtos.UserResponse update(UUID id, UserDtos.UserUpdateRequest request) {
        return tx.execute(status -> {
            UserDtos.UserResponse before = visible(id, Operation.UPDATE);
            if (request.status() != null && id.equals(access.caller().userId())) {
                throw ApiException.forbidden("you cannot change your own status");
            }
            users.update(id, request);
            UserDtos.UserResponse after = users.find(id).orElseThrow();
            if (!before.status().equals(after.status())) {
                sessions.endAllSessions(id, "account " + after.status().db());
                if (after.status() == UserStatus.DISABLED) {
                    apiTokens.revokeAllOf(id, clock.instant());
                }
                // A disabled person is served by no node.
                desired.syncUsers(List.of(id));
            }
            audit.record(before.tenantId(), "user.update", "user", id, before, after);
            return after;
        });
    }

    void resetPassword(UUID id, UserDtos.PasswordResetRequest request) {
        UserDtos.UserResponse target = visible(id, Operation.UPDATE);
        credentials.checkNewPassword("password", request.password(), target.username());
        String hash = hasher.hash(request.password());
        tx.executeWithoutResult(status -> {
            visible(id, Operation.UPDATE);
            users.setPassword(id, hash);
            sessions.endAllSessions(id, "password reset by an administrator");
            audit.record(target.tenantId(), "user.password_reset", "user", id, null, null);
        });
    }

    void delete(UUID id) {
        tx.executeWithoutResult(status -> {
            UserDtos.UserResponse before = visible(id, Operation.DELETE);
            if (id.equals(access.caller().userId())) {
                throw ApiException.forbidden("you cannot delete yourself");
            }
            sessions.endAllSessions(id, "account deleted");
            users.delete(id);
            desired.syncUsers(List.of(id));
            audit.record(before.tenantId(), "user.delete", "user", id, before, null);
        });
    }

    private UserDtos.UserResponse visible(UUID id, Operation operation) {
        UserDtos.UserResponse user = users.find(id).orElseThrow(() -> ApiException.notFound("user"));
        if (user.tenantId() == null) {
            // Platform operators are managed by platform admins only.
            if (!access.caller().platformAdmin() && !id.equals(access.caller().userId())) {
                throw ApiException.notFound("user");
            }
            if (!access.caller().platformAdmin() && operation != Operation.READ) {
                throw ApiException.forbidden("only a platform administrator may do this");
            }
            return user;
        }
        access.check(Module.USERS, operation, user.tenantId(), user.id(), "user");
        boolean self = id.equals(access.caller().userId());
        if (operation != Operation.READ && !self
                && !escalation.holdsAll(user.tenantId(), escalation.grantsOfUser(id, user.tenantId()))) {
            throw ApiException.forbidden("this user holds permissions you do not; ask an owner");
        }
        return user;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
