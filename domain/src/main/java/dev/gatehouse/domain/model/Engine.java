package dev.gatehouse.domain.model;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Collection;
import java.util.List;

/** The VPN engines a node can run and a subscription can use. */
public enum Engine implements DbEnum {
    XRAY("xray", dev.gatehouse.proto.agent.v1.Engine.ENGINE_XRAY),
    WIREGUARD("wireguard", dev.gatehouse.proto.agent.v1.Engine.ENGINE_WIREGUARD);

    private final String db;
    private final dev.gatehouse.proto.agent.v1.Engine proto;

    Engine(String db, dev.gatehouse.proto.agent.v1.Engine proto) {
        this.db = db;
        this.proto = proto;
    }

    @Override
    @JsonValue
    public String db() {
        return db;
    }

    public dev.gatehouse.proto.agent.v1.Engine proto() {
        return proto;
    }

    public static Engine fromDb(String value) {
        return DbEnum.fromDb(Engine.class, value);
    }

    public static Engine fromProto(dev.gatehouse.proto.agent.v1.Engine value) {
        for (Engine e : values()) {
            if (e.proto == value) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown engine " + value);
    }

    /** Database values in declaration order, for a text[] column. */
    public static String[] dbArray(Collection<Engine> engines) {
        return engines.stream().sorted().map(Engine::db).toArray(String[]::new);
    }

    public static List<Engine> fromDbArray(String[] values) {
        return java.util.Arrays.stream(values).map(Engine::fromDb).sorted().toList();
    }
}
