/**
 * Verbatim copies of ../shared/reference/cli/calicoctl-* (hand-written from projectcalico/calico v3.30.0
 * sources, see that README for provenance), kept here so the tests run without the reference tree.
 */
export const REF: Record<string, string> = {
  "calicoctl-ipam-show.txt": "+----------+----------------+-----------+------------+--------------+\n| GROUPING |      CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |\n+----------+----------------+-----------+------------+--------------+\n| IP Pool  | 192.168.0.0/16 |     65536 | 12 (0%)    | 65524 (100%) |\n+----------+----------------+-----------+------------+--------------+\n",
  "calicoctl-ipam-show-blocks.txt": "+----------+--------------------+-----------+------------+--------------+\n| GROUPING |        CIDR        | IPS TOTAL | IPS IN USE |   IPS FREE   |\n+----------+--------------------+-----------+------------+--------------+\n| IP Pool  | 192.168.0.0/16     |     65536 | 12 (0%)    | 65524 (100%) |\n| Block    | 192.168.112.128/26 |        64 | 3 (5%)     | 61 (95%)     |\n| Block    | 192.168.131.128/26 |        64 | 4 (6%)     | 60 (94%)     |\n| Block    | 192.168.18.64/26   |        64 | 5 (8%)     | 59 (92%)     |\n+----------+--------------------+-----------+------------+--------------+\n",
  "calicoctl-ipam-show-borrowed.txt": "+----+----------------+-------+-------------+------+--------------+\n| IP | BORROWING-NODE | BLOCK | BLOCK OWNER | TYPE | ALLOCATED-TO |\n+----+----------------+-------+-------------+------+--------------+\n+----+----------------+-------+-------------+------+--------------+\n",
  "calicoctl-ipam-show-configuration.txt": "+--------------------+-------+\n|      PROPERTY      | VALUE |\n+--------------------+-------+\n| StrictAffinity     | false |\n| AutoAllocateBlocks | true  |\n| MaxBlocksPerHost   |     0 |\n+--------------------+-------+\n",
  "calicoctl-ipam-show-no-blocks.txt": "+----------+----------------+-----------+------------+--------------+\n| GROUPING |      CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |\n+----------+----------------+-----------+------------+--------------+\n| IP Pool  | 192.168.0.0/16 |     65536 | 0 (0%)     | 65536 (100%) |\n+----------+----------------+-----------+------------+--------------+\n",
  "calicoctl-ipam-show-ip-in-use.txt": "IP 192.168.18.64 is in use\nAttributes:\n  node: calico-ipam-control-plane\n  type: vxlanTunnelAddress\n",
  "calicoctl-ipam-show-ip-free.txt": "192.168.200.10 is not assigned\n",
  "calicoctl-ipam-check.txt": "Checking IPAM for inconsistencies...\n\nLoading all IPAM blocks...\nFound 3 IPAM blocks.\n IPAM block 192.168.112.128/26 affinity=host:calico-ipam-worker2:\n IPAM block 192.168.131.128/26 affinity=host:calico-ipam-worker:\n IPAM block 192.168.18.64/26 affinity=host:calico-ipam-control-plane:\nIPAM blocks record 12 allocations.\n\nLoading all IPAM pools...\n  192.168.0.0/16\nFound 1 active IP pools.\n\nLoading all nodes.\nFound 3 node tunnel IPs.\n\nLoading all service load balancer IPs.\nFound 0 service load balancer.\n\nLoading all workload endpoints.\nFound 9 workload IPs.\nWorkloads and nodes are using 12 IPs.\n\nLoading all handles\nLooking for top (up to 20) nodes by allocations...\n  calico-ipam-control-plane has 5 allocations\n  calico-ipam-worker has 4 allocations\n  calico-ipam-worker2 has 3 allocations\nNode with most allocations has 5; median is 4\n\nScanning for IPs that are allocated but not actually in use...\nFound 0 IPs that are allocated in IPAM but not actually in use.\nScanning for IPs that are in use by a workload or node but not allocated in IPAM...\nFound 0 in-use IPs that are not in active IP pools.\nFound 0 in-use IPs that are in active IP pools but have no corresponding IPAM allocation.\n\nScanning for IPAM handles with no matching IPs...\nFound 0 handles with no matching IPs (and 12 handles with matches).\nScanning for IPs with missing handle...\nFound 0 handles mentioned in blocks with no matching handle resource.\nCheck complete; found 0 problems.\n",
  "calicoctl-version.txt": "Client Version:    v3.30.0\nGit commit:        572a32dd9b\nCluster Version:   v3.30.0\nCluster Type:      typha,kdd,k8s,operator,bgp,kubeadm\n",
  "calicoctl-version-client.txt": "Client Version:    v3.30.0\nGit commit:        572a32dd9b\n",
  "calicoctl-version-before-calico.stdout.txt": "Client Version:    v3.30.0\nGit commit:        572a32dd9b\n",
  "calicoctl-version-before-calico.stderr.txt": "Unable to retrieve Cluster Version or Type: resource does not exist: ClusterInformation(default) with error: the server could not find the requested resource (get clusterinformations.crd.projectcalico.org default)\n",
};

/** calicoctl-ipam-check-report.json: top-level keys, IP → [pod|type, node, sequenceNumber, owners]. */
export const REF_REPORT_KEYS = ["version", "clusterGUID", "datastoreLocked", "clusterInformationRevision", "clusterType", "allocations"];
export const REF_REPORT_ALLOCATIONS: Record<string, [string, string, number, string[]]> = {
  "192.168.112.128": [
    "vxlanTunnelAddress",
    "calico-ipam-worker2",
    0,
    [
      "handle",
      "inUse",
      "ip",
      "node",
      "owners",
      "sequenceNumber",
      "type"
    ]
  ],
  "192.168.112.129": [
    "csi-node",
    "calico-ipam-worker2",
    1,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.112.130": [
    "calico-apiserver",
    "calico-ipam-worker2",
    2,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.131.128": [
    "vxlanTunnelAddress",
    "calico-ipam-worker",
    0,
    [
      "handle",
      "inUse",
      "ip",
      "node",
      "owners",
      "sequenceNumber",
      "type"
    ]
  ],
  "192.168.131.129": [
    "csi-node",
    "calico-ipam-worker",
    1,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.131.130": [
    "calico-kube-controllers",
    "calico-ipam-worker",
    2,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.131.131": [
    "calico-apiserver",
    "calico-ipam-worker",
    3,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.18.64": [
    "vxlanTunnelAddress",
    "calico-ipam-control-plane",
    0,
    [
      "handle",
      "inUse",
      "ip",
      "node",
      "owners",
      "sequenceNumber",
      "type"
    ]
  ],
  "192.168.18.65": [
    "csi-node",
    "calico-ipam-control-plane",
    1,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.18.66": [
    "coredns",
    "calico-ipam-control-plane",
    2,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.18.67": [
    "coredns",
    "calico-ipam-control-plane",
    3,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ],
  "192.168.18.68": [
    "local-path-provisioner",
    "calico-ipam-control-plane",
    4,
    [
      "creationTimestamp",
      "handle",
      "inUse",
      "ip",
      "namespace",
      "node",
      "owners",
      "pod",
      "sequenceNumber"
    ]
  ]
};
