// A container's capabilities from --cap-add and --cap-drop, as moby's TweakCapabilities makes
// them, checked against what the daemon holds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TdockerError } from '../../services/errors/tdocker-error.js';
import { CAPABILITIES, DEFAULT_CAPS, capabilitiesOfMask, capabilitySet } from '../../services/runtime/capability-set.js';

const ALL_BUT_SYS_RESOURCE = CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
const refused = (re: RegExp) => (err: unknown) => err instanceof TdockerError && err.code === 'INVALID_ARGUMENT' && re.test(err.message);
const mask = (caps: readonly string[]) => caps.reduce((m, c) => m | (1n << BigInt(CAPABILITIES.indexOf(c))), 0n).toString(16);

describe('capability set', () => {
  it("is Docker's default 14 without adds or drops (CapEff a80425fb)", () => {
    assert.equal(capabilitySet([], [], CAPABILITIES), DEFAULT_CAPS);
    assert.equal(mask(DEFAULT_CAPS), 'a80425fb');
  });

  it('drops, then adds, names in any case, with or without CAP_', () => {
    const caps = capabilitySet(['net_admin', 'CAP_SYS_PTRACE', 'chown'], ['CHOWN', 'cap_kill'], CAPABILITIES);
    assert.equal(mask(caps), mask([...DEFAULT_CAPS.filter((c) => c !== 'CAP_KILL'), 'CAP_NET_ADMIN', 'CAP_SYS_PTRACE']));
    assert.equal(new Set(caps).size, caps.length, 'no name twice');
  });

  it('takes ALL among the adds as all the daemon holds, less the drops; ALL among the drops as only the adds', () => {
    assert.deepEqual(capabilitySet(['ALL'], ['MKNOD'], ALL_BUT_SYS_RESOURCE), ALL_BUT_SYS_RESOURCE.filter((c) => c !== 'CAP_MKNOD'));
    assert.deepEqual(capabilitySet(['chown'], ['all'], CAPABILITIES), ['CAP_CHOWN']);
    assert.deepEqual(capabilitySet([], ['ALL'], CAPABILITIES), []);
  });

  it('refuses a name the kernel does not know, and one the daemon does not hold to give', () => {
    assert.throws(() => capabilitySet(['NET_WIZARD'], [], CAPABILITIES), refused(/unknown capability: "NET_WIZARD"/));
    assert.throws(() => capabilitySet([], ['bogus'], CAPABILITIES), refused(/unknown capability: "bogus"/));
    assert.throws(() => capabilitySet(['SYS_RESOURCE'], [], ALL_BUT_SYS_RESOURCE), refused(/cannot add CAP_SYS_RESOURCE: the daemon does not hold it/));
    // A default capability the daemon lacks is refused too, not silently left out.
    assert.throws(() => capabilitySet(['NET_ADMIN'], [], CAPABILITIES.filter((c) => c !== 'CAP_KILL')), refused(/cannot add CAP_KILL/));
  });

  it('reads a CapBnd mask of /proc/<pid>/status', () => {
    assert.deepEqual(capabilitiesOfMask('a80425fb'), CAPABILITIES.filter((c) => DEFAULT_CAPS.includes(c)));
    assert.deepEqual(capabilitiesOfMask('000001fffeffffff'), ALL_BUT_SYS_RESOURCE);
  });
});
