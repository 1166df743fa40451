/**
 * The only bridge from the core to the UI: listens to a Mesh and asks its host to render again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LocalState, Mesh, RemotePeer } from '../core/mesh.js';
import type { SignalingState } from '../core/signaling-client.js';

export class MeshController implements ReactiveController {
  peers: readonly RemotePeer[] = [];
  local: LocalState;
  signaling: SignalingState;
  #off: Array<() => void> = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly mesh: Mesh,
  ) {
    this.local = { ...mesh.local };
    this.signaling = mesh.signalingState;
    host.addController(this);
  }

  hostConnected(): void {
    const sync = () => {
      this.peers = [...this.mesh.peers.values()];
      this.local = { ...this.mesh.local };
      this.signaling = this.mesh.signalingState;
      this.host.requestUpdate();
    };
    this.#off = [
      this.mesh.on('peerJoined', sync),
      this.mesh.on('peerUpdated', sync),
      this.mesh.on('peerLeft', sync),
      this.mesh.on('localUpdated', sync),
      this.mesh.on('signalingState', sync),
      this.mesh.on('joined', sync),
    ];
    sync();
  }

  hostDisconnected(): void {
    for (const off of this.#off) off();
    this.#off = [];
  }
}
