/**
 * The IoT data plane's Publish API on loopback, for the real
 * @aws-sdk/client-iot-data-plane client: `POST /topics/{topic}?qos=1` with
 * the URL-encoded topic in the path and the payload as body, published on
 * the local broker. Handlers reach it through AWS_ENDPOINT_URL_IOT_DATA_PLANE,
 * so their code path is the one they run in AWS. Only Publish is served.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalBroker } from './mqtt.ts';

// IoT Core's message size cap; above it Publish answers 413.
const maxPayloadBytes = 128 * 1024;

export interface IotDataEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

export const startIotDataEndpoint = async (broker: LocalBroker): Promise<IotDataEndpoint> => {
  const server = createServer((req, res) => {
    // Errors in the shape the SDK's REST-JSON protocol reads: the type in a header, a message in the body.
    const answer = (status: number, type?: string, message?: string) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) })
        .end(JSON.stringify(message ? { message } : {}));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const topic = /^\/topics\/(.+)$/.exec(url.pathname)?.[1];
      if (req.method !== 'POST' || !topic) return answer(404, 'ResourceNotFoundException', `Only POST /topics/{topic} is served here, not ${req.method} ${url.pathname}`);
      let topicName: string;
      try {
        topicName = decodeURIComponent(topic);
      } catch {
        return answer(400, 'InvalidRequestException', `Topic is not valid URL encoding: ${topic}`);
      }
      if (/[+#]/.test(topicName)) return answer(400, 'InvalidRequestException', `A publish topic cannot hold + or #: ${topicName}`);
      const payload = Buffer.concat(chunks);
      if (payload.length > maxPayloadBytes) return answer(413, 'RequestEntityTooLargeException', `Payload over ${maxPayloadBytes} bytes`);
      const qos = url.searchParams.get('qos') ?? '0';
      if (qos !== '0' && qos !== '1') return answer(400, 'InvalidRequestException', `qos must be 0 or 1, not ${qos}`);
      broker.publish(topicName, payload, { qos: Number(qos) as 0 | 1, retain: url.searchParams.get('retain') === 'true' }).then(
        () => answer(200),
        (error: Error) => answer(500, 'InternalFailureException', error.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};
