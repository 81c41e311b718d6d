#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (munged, slurmctld and
# slurmd, all as root) for the Slurm test of the sharded build
# (cmd/nfdataset/slurm_test.go). It needs Debian's slurm-wlm and munge
# and root. Idempotent: a cluster that already answers is left alone, and
# a slurm.conf this script did not write is never overwritten.
#
#   scripts/slurm-local.sh        start (or check) the cluster
#   scripts/slurm-local.sh stop   stop the daemons it started
set -euo pipefail

conf=${SLURM_CONF:-/etc/slurm/slurm.conf}
marker="# written by nfdataset scripts/slurm-local.sh"
state=/var/lib/nfdataset-slurm

die() { echo "slurm-local: $*" >&2; exit 1; }

if [ "${1:-}" = stop ]; then
	for d in slurmd slurmctld munged; do
		if [ -f "$state/$d.pid" ]; then
			kill "$(cat "$state/$d.pid")" 2>/dev/null || true
			rm -f "$state/$d.pid"
		fi
	done
	exit 0
fi

[ "$(id -u)" = 0 ] || die "needs root (the daemons run as root)"
for c in munged slurmctld slurmd sbatch scontrol sinfo; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found: apt-get install slurm-wlm munge"
done

if scontrol ping 2>/dev/null | grep -q 'is UP' && sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
	exit 0
fi

mkdir -p "$state/ctld" "$state/d" /run/munge /var/log/munge
if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
	die "$conf exists and was not written by this script: not touching it"
fi

# munge: one key, shared by every daemon of this one-node cluster.
if [ ! -s /etc/munge/munge.key ]; then
	mkdir -p /etc/munge
	dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/log/munge 2>/dev/null || true
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
	if id munge >/dev/null 2>&1; then
		runuser -u munge -- munged --force
	else
		munged --force
	fi
	for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
	munge -n | unmunge >/dev/null 2>&1 || die "munged did not start"
	pgrep -o -x munged >"$state/munged.pid" || true
fi

# The node line is what slurmd finds on this machine, so the node is never
# drained for a CPU or memory mismatch.
host=$(hostname -s)
node=$(slurmd -C | head -n 1)
case "$node" in NodeName=*) ;; *) die "slurmd -C printed no node line" ;; esac
mkdir -p "$(dirname "$conf")"
cat >"$conf" <<CONF
$marker
ClusterName=nfdataset-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
$node State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# slurmd reads cgroup.conf only with cgroup plugins; none are used here.

pgrep -x slurmctld >/dev/null 2>&1 || slurmctld
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.2; done
scontrol ping 2>/dev/null | grep -q 'is UP' || die "slurmctld did not start (see $state/slurmctld.log)"
pgrep -x slurmd >/dev/null 2>&1 || slurmd
for _ in $(seq 100); do
	sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)' && exit 0
	sleep 0.2
done
die "the node did not come up: $(sinfo -h -o '%T %E' 2>&1) (see $state/slurmd.log)"
