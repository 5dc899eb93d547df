/** The reuse guard: which Calico an existing cluster runs, against the selected release. */
import { describe, expect, it } from 'vitest';
import { calicoVersionProblem } from '../../../src/deploy/version.js';
import { testLab } from '../doctor/lab-fixture.js';

const v30 = testLab().calico;
const v31 = { ...v30, version: 'v3.31.3', images: ['quay.io/tigera/operator:v1.40.3', 'quay.io/calico/node:v3.31.3'] };

describe('calicoVersionProblem', () => {
  it('the Installation reports another version: not reusable, says which', () => {
    expect(calicoVersionProblem({ calico: v31 }, { calicoVersion: 'v3.30.0', operatorImage: 'quay.io/tigera/operator:v1.38.0' })).toBe('it runs Calico v3.30.0, not the selected v3.31.3');
  });

  it('same version: reusable', () => {
    expect(calicoVersionProblem({ calico: v30 }, { calicoVersion: 'v3.30.0', operatorImage: 'quay.io/tigera/operator:v1.38.0' })).toBeUndefined();
  });

  it('no version reported yet: the operator image decides', () => {
    expect(calicoVersionProblem({ calico: v31 }, { operatorImage: 'quay.io/tigera/operator:v1.38.0' })).toBe('its tigera-operator runs quay.io/tigera/operator:v1.38.0, but Calico v3.31.3 comes with quay.io/tigera/operator:v1.40.3');
    expect(calicoVersionProblem({ calico: v31 }, { operatorImage: 'quay.io/tigera/operator:v1.40.3' })).toBeUndefined();
  });

  it('no Calico yet (an interrupted deploy), or an operator from a mirror the pins do not name: left to the install', () => {
    expect(calicoVersionProblem({ calico: v31 }, {})).toBeUndefined();
    expect(calicoVersionProblem({ calico: v31 }, { operatorImage: 'mirror.example/tigera/operator:v1.38.0' })).toBeUndefined();
  });
});
