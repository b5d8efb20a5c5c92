/**
 * The IoT data plane's Publish API on loopback, for the real
 * @aws-sdk/client-iot-data-plane client: `POST /topics/{topic}?qos=1` with
 * the payload as body, published on the local broker. Handlers reach it
 * through AWS_ENDPOINT_URL_IOT_DATA_PLANE, so their code path is the one
 * they run in AWS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalBroker } from './mqtt.ts';

export const startIotDataEndpoint = async (broker: LocalBroker): Promise<{ url: string; close(): Promise<void> }> => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = /^\/topics\/(.+)$/.exec(url.pathname);
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      broker.publish(decodeURIComponent(match[1]!), Buffer.concat(chunks)).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
        (error: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: error.message })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
