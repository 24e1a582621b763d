# Sourced by the install scripts: `as_root CMD...` runs CMD as root (directly,
# or through sudo), or stops with a message through the sourcing script's
# `log`.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root (or sudo) to run: $*"
        exit 1
    fi
}
