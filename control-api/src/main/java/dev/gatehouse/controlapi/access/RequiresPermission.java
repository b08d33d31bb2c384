package dev.gatehouse.controlapi.access;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The permission a route needs somewhere before it runs; the object's own tenant is then checked by
 * {@link AccessPolicy}. Every route carries this, {@link PublicRoute} or {@link AuthenticatedRoute}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiresPermission {
    Module module();

    Operation operation();
}
