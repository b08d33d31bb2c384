package dev.gatehouse.nodeagent.engine.wireguard;

/** How the interface is implemented, named as {@code CoreInfo.flavour} reports it to the panel. */
enum Flavour {
    /** The kernel module, created with {@code ip link add IF type wireguard}. */
    KERNEL("wireguard-kernel", "wg"),
    /** The userspace {@code wireguard-go}, a child process of the agent. */
    USERSPACE("wireguard-go", "wireguard-go");

    private final String label;
    private final String versionProgram;

    Flavour(String label, String versionProgram) {
        this.label = label;
        this.versionProgram = versionProgram;
    }

    String label() {
        return label;
    }

    /** The program whose {@code --version} names this flavour's version. */
    String versionProgram() {
        return versionProgram;
    }
}
