# Helpers the scripts share: messages, root commands and Debian packages. Sourced, not run.
# shellcheck shell=bash

say() { printf '==> %s\n' "$*"; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "${0##*/}: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

apt_updated=false
apt_install() {
    if ! command -v apt-get >/dev/null; then
        echo "${0##*/}: no apt-get here; install these by hand: $*" >&2
        return 1
    fi
    if [[ $apt_updated == false ]]; then
        say "apt-get update"
        as_root apt-get update -q
        apt_updated=true
    fi
    say "apt-get install -y $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Where pip puts the `http` script: the user base's bin (--user installs) and the
# interpreter's own scripts directory (virtualenvs, root installs); both go on PATH.
add_python_bins_to_path() {
    command -v python3 >/dev/null || return 0
    local dir
    for dir in "$(python3 -m site --user-base)/bin" \
        "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"; do
        if [[ -d $dir && :$PATH: != *:$dir:* ]]; then
            PATH="$PATH:$dir"
        fi
    done
    export PATH
}
