/**
 * MQTT over WebSocket on the API's own port, at `/mqtt`: where the console
 * in a browser watches live stock (docs/live-stock.md), as it would IoT Core's
 * WebSocket endpoint. Each connection is handed to the same broker as TCP
 * 1883 (aedes over `ws`'s stream, as aedes' docs do it), so what the IoT data
 * plane publishes reaches it; the broker authenticates it with the bearer
 * token as MQTT password and applies the live ACL (infra/local/mqtt.ts).
 * Any other upgrade is refused; `/mqtt` without the `mqtt` subprotocol too.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { LocalBroker } from './mqtt.ts';

export const mqttWebSocketPath = '/mqtt';

export interface MqttOverWebSocket {
  /** Closes every WebSocket connection (the HTTP server's close does not wait for upgraded ones otherwise). */
  close(): Promise<void>;
}

const refuse = (socket: Duplex, status: string) => {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

export const attachMqttOverWebSocket = (server: Server, broker: LocalBroker): MqttOverWebSocket => {
  const wss = new WebSocketServer({
    noServer: true,
    // MQTT over WebSocket names its subprotocol (MQTT 3.1.1 section 6): `mqtt`, or `mqttv3.1` of older clients.
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    maxPayload: 256 * 1024,
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // Another upgrade handler (none today) may own other paths; with none, nothing else answers them.
    if (path !== mqttWebSocketPath) {
      if (server.listenerCount('upgrade') === 1) refuse(socket, '404 Not Found');
      return;
    }
    wss.handleUpgrade(req, socket, head, (websocket) => {
      const stream = createWebSocketStream(websocket);
      // A browser going away mid-frame is not the broker's error.
      stream.on('error', () => stream.destroy());
      broker.handleWebSocket(stream, req);
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
};
