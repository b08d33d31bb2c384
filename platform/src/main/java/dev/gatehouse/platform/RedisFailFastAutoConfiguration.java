package dev.gatehouse.platform;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Redis commands fail at once while the connection is down, instead of queueing until the command
 * timeout: every app treats Redis as optional for its core work (docs/security.md says what each
 * one does without it), so a missing Redis must cost a request nothing but the fallback. Lettuce
 * keeps reconnecting in the background, and commands flow again as soon as Redis is back.
 */
@AutoConfiguration
@ConditionalOnClass({ClientOptions.class, LettuceClientOptionsBuilderCustomizer.class})
public class RedisFailFastAutoConfiguration {

    @Bean
    LettuceClientOptionsBuilderCustomizer gatehouseRejectWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
}
