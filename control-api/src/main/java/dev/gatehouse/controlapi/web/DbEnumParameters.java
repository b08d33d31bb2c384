package dev.gatehouse.controlapi.web;

import dev.gatehouse.domain.model.AssignmentStrategy;
import dev.gatehouse.domain.model.DbEnum;
import dev.gatehouse.domain.model.Engine;
import dev.gatehouse.domain.model.NodeStatus;
import dev.gatehouse.domain.model.ResetStrategy;
import dev.gatehouse.domain.model.SubscriptionState;
import dev.gatehouse.domain.model.TenantStatus;
import dev.gatehouse.domain.model.UserStatus;
import java.beans.PropertyEditorSupport;
import java.util.List;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Reads a query or path parameter of a domain enum by its database value ({@code ?state=on_hold}),
 * the spelling the JSON bodies use; any other spelling, the Java name included, is refused and
 * answered with the choices. An editor, not a converter: when a converter fails, Spring falls back
 * to {@code Enum.valueOf}, which would accept {@code ONLINE}.
 */
@ControllerAdvice
class DbEnumParameters {

    private static final List<Class<? extends DbEnum>> TYPES = List.of(TenantStatus.class, UserStatus.class,
            NodeStatus.class, SubscriptionState.class, AssignmentStrategy.class, ResetStrategy.class, Engine.class);

    @InitBinder
    void register(WebDataBinder binder) {
        TYPES.forEach(type -> binder.registerCustomEditor(type, new Editor(type)));
    }

    private static final class Editor extends PropertyEditorSupport {

        private final Class<? extends DbEnum> type;

        Editor(Class<? extends DbEnum> type) {
            this.type = type;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void setAsText(String text) {
            setValue(text == null || text.isEmpty() ? null : DbEnum.fromDb((Class) type, text));
        }
    }
}
