#!/usr/bin/env bash
# Installs the Gatehouse node agent on an edge server (docs/node-agent.md): the jar under
# /opt/gatehouse, the systemd unit, /etc/gatehouse with an empty agent.env, and the state folder.
# Running it again is an upgrade: the jar and the unit are replaced, settings and the node's identity
# are kept. It neither enrols nor starts the agent; it prints those two steps.
#
# usage: install-agent.sh [--as-user] [--root DIR] JAR [UNIT]
#   JAR        the agent jar (./mvnw -B -pl node-agent -am -DskipTests package makes
#              node-agent/target/gatehouse-node-agent.jar)
#   UNIT       the unit file; default: gatehouse-agent.service beside this script
#   --as-user  run the agent as the system user gatehouse-agent (made here) with the same two
#              capabilities, instead of as root with only those two (the unit's default); without
#              it a drop-in left by an earlier --as-user is removed
#   --root DIR install into DIR instead of / (an image being built, a test); systemd is not told
set -euo pipefail

readonly USER_NAME=gatehouse-agent
root=/
as_user=false
jar=
unit=

die() {
    printf 'install-agent: %s\n' "$*" >&2
    exit 1
}
trap 'die "failed: $BASH_COMMAND (line $LINENO)"' ERR

while [ $# -gt 0 ]; do
    case "$1" in
        --as-user) as_user=true ;;
        --root)
            [ $# -ge 2 ] || die "--root needs a folder"
            root="$2"
            shift
            ;;
        -h | --help)
            sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*) die "unknown option $1 (usage: install-agent.sh [--as-user] [--root DIR] JAR [UNIT])" ;;
        *)
            if [ -z "$jar" ]; then
                jar="$1"
            elif [ -z "$unit" ]; then
                unit="$1"
            else
                die "too many arguments: $1"
            fi
            ;;
    esac
    shift
done

[ -n "$jar" ] || die "name the agent jar (usage: install-agent.sh [--as-user] [--root DIR] JAR [UNIT])"
[ -n "$unit" ] || unit="$(dirname "$0")/gatehouse-agent.service"
[ -f "$jar" ] || die "no agent jar at $jar (build it: ./mvnw -B -pl node-agent -am -DskipTests package)"
[ "$(head -c 2 "$jar")" = "PK" ] || die "$jar is not a jar"
[ -f "$unit" ] || die "no unit file at $unit"
[ -d "$root" ] || die "no folder $root"
root="${root%/}"

if [ -z "$root" ]; then
    [ "$(id -u)" = 0 ] || die "run as root (sudo $0 ...)"
    # The unit runs /usr/bin/java; Java 17 or newer.
    [ -x /usr/bin/java ] || die "/usr/bin/java is missing (apt-get install openjdk-17-jre-headless)"
    version="$(/usr/bin/java -XshowSettings:properties -version 2>&1 \
        | awk -F'= ' '/java.specification.version/ {print $2}')"
    [ "${version%%.*}" -ge 17 ] 2>/dev/null || die "/usr/bin/java is Java ${version:-of an unknown version}; the agent needs 17 or newer"
fi

install -d -m 0755 "$root/opt/gatehouse" "$root/etc/gatehouse" "$root/etc/systemd/system"
# Replaced by a rename: a running agent keeps reading the jar it started from until its restart.
install -m 0644 "$jar" "$root/opt/gatehouse/.gatehouse-node-agent.jar.new"
mv -f "$root/opt/gatehouse/.gatehouse-node-agent.jar.new" "$root/opt/gatehouse/gatehouse-node-agent.jar"
install -m 0644 "$unit" "$root/etc/systemd/system/gatehouse-agent.service"
if [ ! -e "$root/etc/gatehouse/agent.env" ]; then
    install -m 0640 /dev/null "$root/etc/gatehouse/agent.env"
    printf '%s\n' "# GATEHOUSE_AGENT_<OPTION>=value lines for the agent's service (docs/node-agent.md)." \
        > "$root/etc/gatehouse/agent.env"
fi
# The unit's StateDirectory; made here too so that enroll can write into it before the first start.
install -d -m 0700 "$root/var/lib/gatehouse-agent"

dropin="$root/etc/systemd/system/gatehouse-agent.service.d/user.conf"
if [ "$as_user" = true ]; then
    if ! grep -q "^$USER_NAME:" "$root/etc/passwd" 2>/dev/null; then
        prefix=()
        [ -z "$root" ] || prefix=(--prefix "$root")
        useradd "${prefix[@]}" --system --user-group --home-dir /var/lib/gatehouse-agent --no-create-home \
            --shell /usr/sbin/nologin "$USER_NAME"
    fi
    uid="$(awk -F: -v u="$USER_NAME" '$1 == u {print $3}' "$root/etc/passwd")"
    gid="$(awk -F: -v u="$USER_NAME" '$1 == u {print $4}' "$root/etc/passwd")"
    # An identity enrolled as root becomes the agent's (systemd would also do this at start).
    chown -R "$uid:$gid" "$root/var/lib/gatehouse-agent"
    install -d -m 0755 "$(dirname "$dropin")"
    printf '%s\n' "# Written by deploy/install-agent.sh --as-user: the agent runs as its own user, with the" \
        "# unit's two capabilities handed to it and to the programs it starts." \
        "[Service]" "User=$USER_NAME" "Group=$USER_NAME" > "$dropin"
    chmod 0644 "$dropin"
else
    rm -f "$dropin"
    rmdir "$(dirname "$dropin")" 2>/dev/null || true
fi

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi

runs_as=root
[ "$as_user" = false ] || runs_as="$USER_NAME"
echo "installed /opt/gatehouse/gatehouse-node-agent.jar and gatehouse-agent.service under ${root:-/} (runs as $runs_as)"
if [ ! -e "$root/var/lib/gatehouse-agent/node.crt" ]; then
    echo "next: java -jar /opt/gatehouse/gatehouse-node-agent.jar enroll --api URL --token ghe_... --ca-sha256 HEX"
    echo "then: systemctl enable --now gatehouse-agent"
else
    echo "already enrolled; to run the new jar: systemctl restart gatehouse-agent"
fi
