import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/support/clock.ts';
import { FakeNetwork } from '../../test/support/fake-network.ts';
import { NetworkGate, type NetworkState } from './network-gate.ts';
import { TimerSet } from './timers.ts';

function setup(online = true) {
  const clock = new ManualClock();
  const network = new FakeNetwork();
  network.set(online);
  const changes: NetworkState[] = [];
  const gate = new NetworkGate(network, new TimerSet(clock), (state) => changes.push(state), {
    failureThreshold: 2,
    probeBaseMs: 1000,
    probeCapMs: 30_000,
    random: () => 1,
  });
  return { clock, network, gate, changes };
}

describe('NetworkGate', () => {
  it('follows the device: nothing starts while offline, everything again once online', () => {
    const { network, gate, changes } = setup(false);
    expect(gate.state).toBe('offline');
    expect(gate.mayStart()).toBe(false);
    network.set(true);
    expect(gate.state).toBe('online');
    expect(gate.mayStart()).toBe(true);
    network.set(false);
    expect(changes).toEqual(['online', 'offline']);
  });

  it('one network failure is not an outage; two in a row are', () => {
    const { gate } = setup();
    gate.failed(false);
    expect(gate.state).toBe('online');
    gate.answered();
    gate.failed(false);
    expect(gate.state).toBe('online');
    gate.failed(false);
    expect(gate.state).toBe('unreachable');
    expect(gate.mayStart()).toBe(false);
  });

  it('lets one probe through after a pause that doubles per failed probe, capped at 30 s', async () => {
    const { clock, gate, changes } = setup();
    gate.failed(false);
    gate.failed(false);
    // random() = 1: the full ceiling of each pause.
    for (const pause of [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]) {
      await clock.advance(pause - 1);
      expect(gate.mayStart()).toBe(false);
      await clock.advance(1);
      expect(gate.mayStart()).toBe(true);
      expect(gate.starting()).toBe(true);
      // Only one probe at a time.
      expect(gate.mayStart()).toBe(false);
      gate.failed(true);
    }
    // Failures of requests that were already running do not push the next probe back.
    gate.failed(false);
    await clock.advance(30_000);
    expect(gate.mayStart()).toBe(true);
    expect(changes[0]).toBe('unreachable');
  });

  it('any HTTP answer (even an error status) ends the outage', async () => {
    const { clock, gate } = setup();
    gate.failed(false);
    gate.failed(false);
    await clock.advance(1000);
    expect(gate.starting()).toBe(true);
    gate.answered();
    expect(gate.state).toBe('online');
    expect(gate.mayStart()).toBe(true);
    expect(gate.starting()).toBe(false);
    // The count starts over.
    gate.failed(false);
    expect(gate.state).toBe('online');
  });

  it('the device coming online ends an outage at once, without waiting for the probe', () => {
    const { network, gate, clock } = setup();
    gate.failed(false);
    gate.failed(false);
    network.set(false);
    expect(gate.state).toBe('offline');
    // Failures while offline are expected and change nothing.
    gate.failed(true);
    network.set(true);
    expect(gate.state).toBe('online');
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('whenDeviceOnline waits for the device to come back', async () => {
    const { network, gate } = setup(false);
    let woke = false;
    void gate.whenDeviceOnline().then(() => {
      woke = true;
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    network.set(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(woke).toBe(true);
  });

  it('nextOnline resolves when an outage ends, not before', async () => {
    const { gate } = setup();
    gate.failed(false);
    gate.failed(false);
    let woke = false;
    void gate.nextOnline().then(() => {
      woke = true;
    });
    gate.failed(true);
    await Promise.resolve();
    expect(woke).toBe(false);
    gate.answered();
    await Promise.resolve();
    expect(woke).toBe(true);
  });

  it('stops listening on dispose', () => {
    const { network, gate } = setup();
    gate.dispose();
    network.set(false);
    expect(gate.state).toBe('online');
  });
});
