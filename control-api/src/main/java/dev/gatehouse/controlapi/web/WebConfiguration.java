package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.access.RouteRuleInterceptor;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Registers the interceptors every route passes (its permission rule). */
@Configuration
class WebConfiguration implements WebMvcConfigurer {

    private final RouteRuleInterceptor routeRules;

    WebConfiguration(RouteRuleInterceptor routeRules) {
        this.routeRules = routeRules;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(routeRules);
    }
}
