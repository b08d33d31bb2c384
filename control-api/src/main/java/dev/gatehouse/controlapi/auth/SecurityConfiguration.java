package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.controlapi.problem.Problems;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Stateless bearer-token security: a handful of public routes, everything else needs an access
 * token or an API token. Which permission each route needs is the routes' own rule
 * ({@code RequiresPermission}), checked once the caller is known.
 */
@Configuration
class SecurityConfiguration {

    /**
     * Routes anyone may call: sign-in, first-admin bootstrap, health, metrics, the API contract,
     * subscription links and node enrolment (their tokens are the credentials).
     */
    static final String[] PUBLIC = {
        "/auth/login", "/auth/refresh", "/auth/bootstrap",
        "/actuator/health", "/actuator/health/**", "/actuator/prometheus",
        "/openapi.json", "/openapi.json/**", "/swagger-ui.html", "/swagger-ui/**",
        "/sub/**", "/nodes/enroll", "/error"
    };

    @Bean
    SecurityFilterChain api(HttpSecurity http, BearerAuthentication bearer) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(c -> c.disable())
                .authorizeHttpRequests(a -> a.requestMatchers(PUBLIC).permitAll().anyRequest().authenticated())
                .oauth2ResourceServer(o -> o
                        .authenticationManagerResolver(request -> bearer)
                        .authenticationEntryPoint((request, response, e) -> {
                            if (e instanceof AddressNotAllowedException) {
                                Problems.write(request, response, ErrorCode.ADDRESS_NOT_ALLOWED, e.getMessage());
                            } else if (e instanceof InvalidTokenException) {
                                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                                Problems.write(request, response, ErrorCode.INVALID_TOKEN, e.getMessage());
                            } else {
                                response.setHeader("WWW-Authenticate", "Bearer");
                                Problems.write(request, response, ErrorCode.UNAUTHENTICATED,
                                        "send an access token or API token as 'Authorization: Bearer ...'");
                            }
                        })
                        .accessDeniedHandler((request, response, e) ->
                                Problems.write(request, response, ErrorCode.FORBIDDEN, "not allowed")))
                .exceptionHandling(x -> x
                        .authenticationEntryPoint((request, response, e) -> {
                            response.setHeader("WWW-Authenticate", "Bearer");
                            Problems.write(request, response, ErrorCode.UNAUTHENTICATED,
                                    "send an access token or API token as 'Authorization: Bearer ...'");
                        }));
        return http.build();
    }
}
