/** Validation of a lesson file's `exercises:`: every bad input names lesson.yaml:line and the fix. */
import { describe, expect, it } from 'vitest';
import { checkLessonFile } from '../../../src/lab/lesson.js';
import { Problems } from '../../../src/lab/rules.js';
import { parseYamlDocuments } from '../../../src/lab/yaml.js';

const HEAD = 'id: 02-pod-network\ntitle: Calico Pod Networking\nexercises:\n';
const GOOD = `  - id: pod-eth0
    title: eth0 is a /32
    teaches: Calico gives pods a /32.
    commands: ["kubectl exec -it multitool -- ip addr"]
    probe: pod-interface
    with: { pod: multitool }
`;

function check(exercises: string): { problems: Problems; lesson: ReturnType<typeof checkLessonFile> } {
  const [doc] = parseYamlDocuments(HEAD + exercises, '/lab/02/lesson.yaml');
  const problems = new Problems();
  return { problems, lesson: checkLessonFile(doc!, problems) };
}
const lines = (p: Problems): string[] => p.list.map((x) => `${x.line}: ${x.message}`);

describe('exercises in lesson.yaml', () => {
  it('parses a good exercise into a spec with its file and line', () => {
    const { problems, lesson } = check(GOOD);
    expect(problems.list).toEqual([]);
    expect(lesson!.exercises).toEqual([
      { id: 'pod-eth0', title: 'eth0 is a /32', teaches: 'Calico gives pods a /32.', commands: ['kubectl exec -it multitool -- ip addr'], probe: 'pod-interface', with: { pod: 'multitool' }, file: '/lab/02/lesson.yaml', line: 4 },
    ]);
  });

  it('names the line of an unknown probe and lists the known ones', () => {
    const { problems } = check(GOOD.replace('probe: pod-interface', 'probe: pod-mtu'));
    expect(lines(problems)).toEqual(['8: exercises[0].probe pod-mtu is not a probe lab knows']);
    expect(problems.list[0]!.fix).toMatch(/pod-interface, pod-routes, pod-resolv, node-pod-route/);
  });

  it('refuses a built-in check id, a duplicate id and an id that is not lower-case-dashes', () => {
    expect(lines(check(GOOD.replace('id: pod-eth0', 'id: pod-ips')).problems)).toEqual(["4: exercises[0].id pod-ips is a built-in check's id"]);
    expect(lines(check(GOOD + GOOD).problems)).toEqual(['10: exercises[1].id pod-eth0 is used twice (first by exercises[0])']);
    expect(lines(check(GOOD.replace('id: pod-eth0', 'id: Pod_Eth0')).problems)).toEqual(['4: exercises[0].id Pod_Eth0 is not lower-case letters, digits and dashes']);
  });

  it("passes the parameters to the probe's validation, naming the path under with", () => {
    const both = check(GOOD.replace('with: { pod: multitool }', 'with: { pod: multitool, selector: app=multitool, colour: red }')).problems;
    expect(both.list.map((p) => p.path)).toEqual(['exercises.0.with.colour', 'exercises.0.with.selector']);
    expect(both.list[0]!.message).toBe('exercises[0].with.colour: unknown parameter colour (probe pod-interface)');
    expect(both.list.every((p) => p.line === 9)).toBe(true);
    const none = check(GOOD.replace('    with: { pod: multitool }\n', '')).problems;
    expect(none.list.map((p) => p.message)).toEqual(['exercises[0].with: give exactly one of `pod` (a pod name) and `selector` (a label selector) (probe pod-interface)']);
    expect(check(GOOD.replace('with: { pod: multitool }', 'with: [multitool]')).problems.list[0]!.message).toBe('exercises[0].with is not a mapping');
    expect(check(GOOD.replace('with: { pod: multitool }', 'with: { pod: "Multi Tool" }')).problems.list[0]!.message).toMatch(/pod "Multi Tool" is not a pod name/);
  });

  it('reports missing fields, unknown keys, bad commands and a non-mapping entry', () => {
    const { problems, lesson } = check(`  - id: x1
    probe: pod-routes
    with: { pod: multitool }
    command: ip route
  - just a string
`);
    expect(lines(problems)).toEqual([
      '7: unknown key exercises[0].command',
      '4: exercises[0].title is missing (one line shown by verify)',
      '4: exercises[0].teaches is missing (printed by --explain)',
      '4: exercises[0].commands is missing',
      '8: exercises[1] is not a mapping',
    ]);
    expect(lesson!.exercises).toEqual([]);
    expect(lines(check(GOOD.replace('commands: ["kubectl exec -it multitool -- ip addr"]', 'commands: []')).problems)).toEqual(['7: exercises[0].commands is not a non-empty list of strings']);
  });
});
