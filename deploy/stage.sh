#!/bin/sh
# Lays out an installed Redress under ROOT as the image has it: the executable in
# /usr/local/bin and the migrations in /usr/share/redress/sql. The image's build stage runs
# this; scripts/check-deploy runs it too, to try the layout without a Docker engine.
# Usage: deploy/stage.sh BINARY ROOT   (from the project's root)
set -eu
binary=$1
root=$2
mkdir -p "$root/usr/local/bin" "$root/usr/share/redress/sql"
cp "$binary" "$root/usr/local/bin/redress"
chmod 0755 "$root/usr/local/bin/redress"
cp sql/*.sql "$root/usr/share/redress/sql/"
chmod 0644 "$root/usr/share/redress/sql/"*.sql
