package dev.gatehouse.controlapi.access;

import dev.gatehouse.controlapi.config.RedisKeys;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.resource.ClientResources;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Whether this replica may take Redis's word for the security state kept there: ended sessions and
 * cached grants. PostgreSQL holds the truth; Redis holds a copy, which misses the writes made while
 * it was away and is lost when it restarts empty. Until the copy is known complete, those checks
 * read PostgreSQL instead. Trust is earned by a repair (each part rewrites its copy from
 * PostgreSQL, then a marker key is set) and lost on any Redis failure this replica sees, when its
 * Redis connection drops, and when the marker is gone (Redis flushed or restarted empty). A repair
 * is tried every second while trust is lost, and once at start.
 */
@Component
public class RedisTrust implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisTrust.class);

    private final StringRedisTemplate redis;
    private final ObjectProvider<ClientResources> clientResources;
    private final String markerKey;
    private final List<Runnable> repairs = new CopyOnWriteArrayList<>();
    /** Bumped by every loss, so that a repair that overlapped one does not restore trust. */
    private final AtomicLong losses = new AtomicLong();
    private volatile boolean trusted;
    private volatile boolean everTrusted;
    private ScheduledExecutorService repairer;
    private reactor.core.Disposable connectionEvents;

    RedisTrust(StringRedisTemplate redis, ObjectProvider<ClientResources> clientResources, RedisKeys keys) {
        this.redis = redis;
        this.clientResources = clientResources;
        this.markerKey = keys.key("security-copy-complete");
    }

    /** Registers a part's repair: rewrite its Redis copy from PostgreSQL; throw if Redis fails. */
    public void onRepair(Runnable repair) {
        repairs.add(repair);
    }

    /** Whether Redis's copy may be read now; when not, read PostgreSQL. */
    public boolean trusted() {
        return trusted;
    }

    /** The key whose absence means Redis lost its data; read it with the value it vouches for. */
    public String markerKey() {
        return markerKey;
    }

    /** Redis failed (or its copy is in doubt): read PostgreSQL until the next repair succeeds. */
    public void lost(String what, RuntimeException cause) {
        losses.incrementAndGet();
        if (trusted) {
            trusted = false;
            log.warn("Redis is unavailable or incomplete ({}{}): ended sessions and grants are read from PostgreSQL"
                    + " until it is repaired", what, cause == null ? "" : ": " + cause.getMessage());
        }
    }

    private void repair() {
        if (trusted) {
            return;
        }
        long before = losses.get();
        try {
            for (Runnable repair : repairs) {
                repair.run();
            }
            redis.opsForValue().set(markerKey, "1");
        } catch (RuntimeException e) {
            log.debug("Redis repair failed, tried again in a second: {}", e.getMessage());
            return;
        }
        if (losses.get() == before) {
            trusted = true;
            if (everTrusted) {
                log.info("Redis is repaired from PostgreSQL; ended sessions and grants are read from it again");
            }
            everTrusted = true;
        }
    }

    @Override
    public synchronized void start() {
        ClientResources resources = clientResources.getIfAvailable();
        if (resources != null) {
            // A connection that drops may come back to a Redis restored from an older copy.
            connectionEvents = resources.eventBus().get()
                    .filter(ReconnectAttemptEvent.class::isInstance)
                    .subscribe(e -> lost("its connection dropped", null));
        }
        repairer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-trust");
            t.setDaemon(true);
            return t;
        });
        repairer.scheduleWithFixedDelay(this::repair, 0, 1, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        if (connectionEvents != null) {
            connectionEvents.dispose();
        }
        if (repairer != null) {
            repairer.shutdownNow();
            repairer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return repairer != null;
    }
}
