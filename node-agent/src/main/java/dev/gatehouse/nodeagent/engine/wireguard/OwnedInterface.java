package dev.gatehouse.nodeagent.engine.wireguard;

/**
 * The WireGuard interface the driver created and therefore removes: the agent owns it, so a
 * leftover of an earlier run is replaced rather than adopted.
 */
sealed interface OwnedInterface permits KernelInterface, WireGuardGoProcess {

    String name();

    Flavour flavour();

    /** Whether the interface still exists (a wireguard-go that exited took its interface with it). */
    boolean running();

    /** Removes the interface; never throws, logs what it could not do. */
    void stop();
}
