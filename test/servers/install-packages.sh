#!/usr/bin/env bash
# Installs the Debian packages the real-server tests and the end-to-end tests
# need: Dovecot (IMAP, POP3, LMTP), Postfix, openssl, Chromium, isync, notmuch,
# file (libmagic, the independent check of attachment type detection),
# dnsmasq-base (a DNS server for the tests of finding an account's servers).
# Packages already installed are skipped. Needs root; otherwise it prints the
# command to run and exits 1.
set -euo pipefail

packages=(dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl chromium isync notmuch file dnsmasq-base)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-packages: all test packages are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-packages: missing ${missing[*]}; run as root:" >&2
  echo "  sudo bash $(realpath "$0")" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix asks which kind of mail system this is; answer before installing.
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
echo "install-packages: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q "${missing[@]}"
