/**
 * `meta.k8s.io/v1` Table responses (what `kubectl get` asks for): CRD additionalPrinterColumns, the
 * built-in printers for nodes, pods and namespaces, and NAME/AGE otherwise.
 */
import type { StoredObject } from '../store.js';
import type { PrinterColumn, ResourceType } from './registry.js';

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME_COLUMN: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const col = (name: string, type = 'string', description = '', priority = 0, format = ''): ColumnDefinition => ({ name, type, format, description, priority });

/** Go's duration.HumanDuration, as kubectl prints ages. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (d < 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

function age(ts: unknown, now: number): string {
  if (typeof ts !== 'string') return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/**
 * The simple JSONPath subset CRD printer columns use: `.a.b`, `['a.b']`, `[0]`, `[*]`,
 * `[?(@.type=="Ready")]` (also `!=`, single quotes). Returns every match.
 */
export function jsonPath(obj: Json, expr: string): Json[] {
  let e = expr.trim();
  if (e.startsWith('{') && e.endsWith('}')) e = e.slice(1, -1);
  if (e.startsWith('$')) e = e.slice(1);
  let cur: Json[] = [obj];
  let i = 0;
  while (i < e.length && cur.length > 0) {
    const ch = e[i];
    if (ch === '.') {
      const m = /^\.([^.[\]]*)/.exec(e.slice(i));
      const key = m?.[1] ?? '';
      i += (m?.[0].length ?? 1);
      if (key === '') continue;
      if (key === '*') cur = cur.flatMap((v) => (isObj(v) ? Object.values(v) : Array.isArray(v) ? v : []));
      else cur = cur.flatMap((v) => (isObj(v) && Object.hasOwn(v, key) ? [v[key]] : []));
    } else if (ch === '[') {
      const end = findClose(e, i);
      const inner = e.slice(i + 1, end).trim();
      i = end + 1;
      let m: RegExpExecArray | null;
      if (inner === '*') cur = cur.flatMap((v) => (Array.isArray(v) ? v : isObj(v) ? Object.values(v) : []));
      else if ((m = /^-?\d+$/.exec(inner))) {
        const n = Number(m[0]);
        cur = cur.flatMap((v) => (Array.isArray(v) ? (n < 0 ? [v[v.length + n]] : [v[n]]) : []).filter((x) => x !== undefined));
      } else if ((m = /^['"](.*)['"]$/.exec(inner))) {
        const key = m[1] ?? '';
        cur = cur.flatMap((v) => (isObj(v) && Object.hasOwn(v, key) ? [v[key]] : []));
      } else if ((m = /^\?\(@\.([\w.\-/]+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([\w.\-]+))\)$/.exec(inner))) {
        const path = m[1] ?? '';
        const op = m[2];
        const want = m[3] ?? m[4] ?? m[5] ?? '';
        cur = cur.flatMap((v) =>
          (Array.isArray(v) ? v : []).filter((item) => {
            const got = jsonPath(item, `.${path}`)[0];
            const s = got === undefined || got === null ? undefined : String(got);
            return op === '==' ? s === want : s !== want;
          }),
        );
      } else if ((m = /^\?\(@\.([\w.\-/]+)\)$/.exec(inner))) {
        const path = m[1] ?? '';
        cur = cur.flatMap((v) => (Array.isArray(v) ? v : []).filter((item) => jsonPath(item, `.${path}`).length > 0));
      } else return [];
    } else {
      // bare leading key (`status.phase`)
      const m = /^([^.[\]]+)/.exec(e.slice(i));
      const key = m?.[1] ?? '';
      i += key.length || 1;
      cur = cur.flatMap((v) => (isObj(v) && Object.hasOwn(v, key) ? [v[key]] : []));
    }
  }
  return cur;
}

function findClose(e: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < e.length; j++) {
    const c = e[j];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return j;
    }
  }
  return e.length;
}

function cellFor(column: PrinterColumn, obj: StoredObject, now: number): Json {
  const results = jsonPath(obj, column.jsonPath);
  if (results.length === 0) return null;
  const v = results[0];
  if (v === undefined || v === null) return null;
  switch (column.type) {
    case 'date':
      return typeof v === 'string' ? age(v, now) : null;
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function nodeRoles(obj: StoredObject): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r !== '') roles.push(r);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.push(v);
  }
  return roles.length === 0 ? '<none>' : [...new Set(roles)].sort().join(',');
}

function nodeStatus(obj: StoredObject): string {
  const conds = (getObj(obj, 'status')?.['conditions'] as Json[] | undefined) ?? [];
  const ready = conds.find((c) => isObj(c) && c['type'] === 'Ready') as Record<string, Json> | undefined;
  let s = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : ready['status'] === 'False' ? 'NotReady' : 'Unknown';
  if (getObj(obj, 'spec')?.['unschedulable'] === true) s += ',SchedulingDisabled';
  return s;
}

function getObj(v: Json, key: string): Record<string, Json> | undefined {
  if (!isObj(v)) return undefined;
  const c = v[key];
  return isObj(c) ? c : undefined;
}

function nodeAddress(obj: StoredObject, type: string): string {
  const addrs = (getObj(obj, 'status')?.['addresses'] as Json[] | undefined) ?? [];
  const a = addrs.find((x) => isObj(x) && x['type'] === type) as Record<string, Json> | undefined;
  return typeof a?.['address'] === 'string' ? a['address'] : '<none>';
}

function podCells(obj: StoredObject, now: number): Json[] {
  const spec = getObj(obj, 'spec') ?? {};
  const status = getObj(obj, 'status') ?? {};
  const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
  const statuses = (Array.isArray(status['containerStatuses']) ? status['containerStatuses'] : []) as Record<string, Json>[];
  let ready = 0;
  let restarts = 0;
  let reason = typeof status['reason'] === 'string' ? status['reason'] : typeof status['phase'] === 'string' ? status['phase'] : 'Unknown';
  for (const cs of statuses) {
    if (cs['ready'] === true) ready++;
    if (typeof cs['restartCount'] === 'number') restarts += cs['restartCount'];
    const state = getObj(cs, 'state');
    const waiting = getObj(state, 'waiting');
    const terminated = getObj(state, 'terminated');
    if (typeof waiting?.['reason'] === 'string' && waiting['reason'] !== '') reason = waiting['reason'];
    else if (typeof terminated?.['reason'] === 'string' && terminated['reason'] !== '') reason = terminated['reason'];
  }
  if (obj.metadata.deletionTimestamp) reason = 'Terminating';
  const podIP = typeof status['podIP'] === 'string' ? status['podIP'] : '<none>';
  const node = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '<none>';
  return [obj.metadata.name, `${ready}/${containers.length}`, reason, restarts, age(obj.metadata.creationTimestamp, now), podIP, node, '<none>', '<none>'];
}

interface Printer {
  columns: ColumnDefinition[];
  cells(obj: StoredObject, now: number): Json[];
}

function printerFor(type: ResourceType, version: string): Printer {
  if (type.crd !== undefined && type.printerColumns && type.printerColumns.length > 0) {
    const pcs = type.printerColumns;
    return {
      columns: [NAME_COLUMN, ...pcs.map((c) => col(c.name, c.type, c.description ?? '', c.priority ?? 0, c.format ?? ''))],
      cells: (o, now) => [o.metadata.name, ...pcs.map((c) => cellFor(c, o, now))],
    };
  }
  void version;
  if (type.group === '' && type.name === 'nodes') {
    return {
      columns: [
        NAME_COLUMN,
        col('Status', 'string', 'The status of the node'),
        col('Roles', 'string', 'The roles of the node'),
        col('Age', 'string', AGE_DESCRIPTION),
        col('Version', 'string', 'Kubelet Version reported by the node.'),
        col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
        col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
        col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
        col('Kernel-Version', 'string', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).', 1),
        col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
      ],
      cells: (o, now) => {
        const info = getObj(getObj(o, 'status'), 'nodeInfo') ?? {};
        const s = (k: string): string => (typeof info[k] === 'string' ? (info[k] as string) : '<unknown>');
        return [o.metadata.name, nodeStatus(o), nodeRoles(o), age(o.metadata.creationTimestamp, now), typeof info['kubeletVersion'] === 'string' ? info['kubeletVersion'] : '', nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'), s('osImage'), s('kernelVersion'), s('containerRuntimeVersion')];
      },
    };
  }
  if (type.group === '' && type.name === 'pods') {
    return {
      columns: [
        NAME_COLUMN,
        col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
        col('Status', 'string', 'The aggregate status of the containers in this pod.'),
        col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
        col('Age', 'string', AGE_DESCRIPTION),
        col('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
        col('Node', 'string', 'Name of the node this pod is running on', 1),
        col('Nominated Node', 'string', 'Name of the node this pod is nominated to run on', 1),
        col('Readiness Gates', 'string', 'Pod readiness gates', 1),
      ],
      cells: podCells,
    };
  }
  const num = (o: StoredObject, section: string, key: string): number => {
    const v = getObj(o, section)?.[key];
    return typeof v === 'number' ? v : 0;
  };
  if (type.group === 'apps' && type.name === 'deployments') {
    return {
      columns: [
        NAME_COLUMN,
        col('Ready', 'string', 'Number of the pod with ready state'),
        col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
        col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
        col('Age', 'string', AGE_DESCRIPTION),
      ],
      cells: (o, now) => {
        const spec = getObj(o, 'spec');
        const desired = typeof spec?.['replicas'] === 'number' ? spec['replicas'] : 1;
        return [o.metadata.name, `${num(o, 'status', 'readyReplicas')}/${desired}`, num(o, 'status', 'updatedReplicas'), num(o, 'status', 'availableReplicas'), age(o.metadata.creationTimestamp, now)];
      },
    };
  }
  if (type.group === 'apps' && type.name === 'daemonsets') {
    return {
      columns: [
        NAME_COLUMN,
        col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
        col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
        col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
        col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
        col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
        col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
        col('Age', 'string', AGE_DESCRIPTION),
      ],
      cells: (o, now) => {
        const sel = getObj(getObj(getObj(o, 'spec'), 'template'), 'spec')?.['nodeSelector'];
        const selector = isObj(sel) && Object.keys(sel).length > 0 ? Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
        return [
          o.metadata.name,
          num(o, 'status', 'desiredNumberScheduled'),
          num(o, 'status', 'currentNumberScheduled'),
          num(o, 'status', 'numberReady'),
          num(o, 'status', 'updatedNumberScheduled'),
          num(o, 'status', 'numberAvailable'),
          selector,
          age(o.metadata.creationTimestamp, now),
        ];
      },
    };
  }
  if ((type.group === 'apiextensions.k8s.io' && type.name === 'customresourcedefinitions') || (type.group === 'rbac.authorization.k8s.io' && (type.name === 'clusterroles' || type.name === 'roles'))) {
    return {
      columns: [NAME_COLUMN, col('Created At', 'date', AGE_DESCRIPTION)],
      cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
    };
  }
  if (type.group === '' && type.name === 'configmaps') {
    return {
      columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), col('Age', 'string', AGE_DESCRIPTION)],
      cells: (o, now) => {
        const count = (k: string): number => (isObj(o[k]) ? Object.keys(o[k] as object).length : 0);
        return [o.metadata.name, count('data') + count('binaryData'), age(o.metadata.creationTimestamp, now)];
      },
    };
  }
  if (type.group === '' && type.name === 'services') {
    return {
      columns: [
        NAME_COLUMN,
        col('Type', 'string', 'type determines how the Service is exposed.'),
        col('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
        col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
        col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
        col('Age', 'string', AGE_DESCRIPTION),
        col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
      ],
      cells: (o, now) => {
        const spec = getObj(o, 'spec') ?? {};
        const ports = (Array.isArray(spec['ports']) ? spec['ports'] : []).filter(isObj).map((p) => `${String(p['port'])}${typeof p['nodePort'] === 'number' ? `:${p['nodePort']}` : ''}/${String(p['protocol'] ?? 'TCP')}`);
        const ext = Array.isArray(spec['externalIPs']) && spec['externalIPs'].length > 0 ? spec['externalIPs'].join(',') : '<none>';
        const sel = isObj(spec['selector']) ? Object.entries(spec['selector']).map(([k, v]) => `${k}=${String(v)}`).sort().join(',') : '<none>';
        return [o.metadata.name, spec['type'] ?? 'ClusterIP', spec['clusterIP'] ?? '<none>', ext, ports.length > 0 ? ports.join(',') : '<none>', age(o.metadata.creationTimestamp, now), sel || '<none>'];
      },
    };
  }
  if (type.group === '' && type.name === 'events') {
    return {
      columns: [
        col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
        col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
        col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
        col('Object', 'string', 'The object that this event is about.'),
        col('Message', 'string', 'A human-readable description of the status of this operation.'),
      ],
      cells: (o, now) => {
        const io = getObj(o, 'involvedObject') ?? {};
        const last = o['lastTimestamp'] ?? o['eventTime'] ?? o.metadata.creationTimestamp;
        return [age(last, now), o['type'] ?? '', o['reason'] ?? '', `${String(io['kind'] ?? '').toLowerCase()}/${String(io['name'] ?? '')}`, o['message'] ?? ''];
      },
    };
  }
  if (type.group === 'apps' && type.name === 'replicasets') {
    return {
      columns: [
        NAME_COLUMN,
        col('Desired', 'integer', 'Replicas is the number of desired pods.'),
        col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
        col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
        col('Age', 'string', AGE_DESCRIPTION),
      ],
      cells: (o, now) => {
        const spec = getObj(o, 'spec');
        return [o.metadata.name, typeof spec?.['replicas'] === 'number' ? spec['replicas'] : 1, num(o, 'status', 'replicas'), num(o, 'status', 'readyReplicas'), age(o.metadata.creationTimestamp, now)];
      },
    };
  }
  if (type.group === 'apps' && type.name === 'statefulsets') {
    return {
      columns: [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), col('Age', 'string', AGE_DESCRIPTION)],
      cells: (o, now) => {
        const spec = getObj(o, 'spec');
        return [o.metadata.name, `${num(o, 'status', 'readyReplicas')}/${typeof spec?.['replicas'] === 'number' ? spec['replicas'] : 1}`, age(o.metadata.creationTimestamp, now)];
      },
    };
  }
  if (type.group === 'discovery.k8s.io' && type.name === 'endpointslices') {
    return {
      columns: [
        NAME_COLUMN,
        col('AddressType', 'string', 'The IP protocol for this slice'),
        col('Ports', 'string', 'The ports for this slice'),
        col('Endpoints', 'string', 'The endpoints for this slice'),
        col('Age', 'string', AGE_DESCRIPTION),
      ],
      cells: (o, now) => {
        const ports = Array.isArray(o['ports']) ? (o['ports'] as { port?: number }[]).map((p) => String(p.port ?? '')) : [];
        const addrs = Array.isArray(o['endpoints']) ? (o['endpoints'] as { addresses?: string[] }[]).flatMap((e) => e.addresses ?? []) : [];
        const shown = addrs.length === 0 ? '<unset>' : addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
        return [o.metadata.name, String(o['addressType'] ?? ''), ports.length === 0 ? '<unset>' : ports.join(','), shown, age(o.metadata.creationTimestamp, now)];
      },
    };
  }
  if (type.group === '' && type.name === 'namespaces') {
    return {
      columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), col('Age', 'string', AGE_DESCRIPTION)],
      cells: (o, now) => [o.metadata.name, (getObj(o, 'status')?.['phase'] as string | undefined) ?? 'Active', age(o.metadata.creationTimestamp, now)],
    };
  }
  return {
    columns: [NAME_COLUMN, col('Age', 'date', AGE_DESCRIPTION)],
    cells: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)],
  };
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(type: ResourceType, objects: StoredObject[], resourceVersion: string | undefined, includeObject: IncludeObject): Record<string, Json> {
  const printer = printerFor(type, type.version);
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion === undefined ? {} : { resourceVersion },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => ({
      cells: printer.cells(o, now),
      ...(includeObject === 'None'
        ? {}
        : { object: includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
