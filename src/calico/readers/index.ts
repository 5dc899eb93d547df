/**
 * Readers of the outputs people capture: terminal transcripts and the human (and JSON/YAML) forms of
 * kubectl, calicoctl, containerlab and iproute2 outputs. Pure functions of text; no I/O.
 *
 *   readCapture(fileName, text, { nodeNames }) → { parts, ignored }
 *
 * Each part names its reader and carries that reader's typed value (`ReadValue`), the `file:line` it
 * came from, the command when there was a prompt, and the lab node it ran on when the prompt said so.
 */
export { readCapture, splitTranscript, stripTerminal } from './transcript.js';
export { READERS, readerById, type AnyReader, type Reader } from './registry.js';
export { parseCommand, shellWords, type CommandLine } from './command.js';
export {
  affinityFromName,
  parseBlockAffinitiesTable,
  parseBlockAffinityListing,
  parseHeaderlessPodRows,
  parseNodesTable,
  parsePodsTable,
  parseTigeraStatusDescribe,
  parseTigeraStatusTable,
} from './kubectl.js';
export { parseIpamCheckText, parseIpamShowText, parsePrintedCount } from './calicoctl.js';
export { parseClabInspectTable } from './clab.js';
export { parseIpRouteJson, parseIpRouteText } from './iproute.js';
export { parseKubeObjects } from './kube.js';
export { affinityRowsToAffinities, ipamShowToIpamShow, nodeRowsToNodes, podRowsToPods, tigeraRowsToStatuses } from './convert.js';
export { ParseError } from '../parse.js';
export * from './types.js';
