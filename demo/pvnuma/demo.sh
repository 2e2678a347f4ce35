#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvnuma: the guest tells the host which vCPUs work with which node's
# memory (one hint per node at load), a user adds one of its own, and the
# guest sees the host's answers and where each of its nodes really runs.
p=/sys/kernel/pvnuma
if [ "$(cat $p/source 2>/dev/null)" != pvhost ]; then
	echo "no backend that takes NUMA hints (source $(cat $p/source 2>/dev/null)): nothing to show"
	exit 0
fi
# wait_answered SECONDS: until no hint is pending or unsent.
wait_answered() {
	n=0
	while grep -qE 'status=(pending|unsent)' $p/hints && [ $n -lt $(($1 * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
wait_answered 10
echo "the automatic hints, one per guest node, and the host's answers:"
sed 's/^/  /' $p/hints
echo "where each guest node runs on the host:"
sed 's/^/  /' $p/placement
echo "  score $(cat $p/score); host distances: $(tr '\n' ' ' <$p/distance)"
last=$(grep -c ^processor /proc/cpuinfo)
cpu=$((last - 1))
echo "a user's hint: CPU $cpu works with node 0's memory"
echo "0 $cpu" >$p/hint_add || exit 1
wait_answered 10
grep ' user ' $p/hints | sed 's/^/  /'
id=$(awk '/ user / { print $1; exit }' $p/hints)
echo "$id" >$p/hint_remove || exit 1
echo "removed: $(grep -c ' user ' $p/hints) user hints left"
