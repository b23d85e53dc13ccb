/**
 * Child process of eventApi.test.ts: serves the event API to iota.js clients over TCP and WebSocket and to a
 * connection that never sends CONNECT, closes the API, then the clients, the HTTP server and the tangle, and prints
 * "closed". Whatever the API left open would keep this process alive; the parent sees it exit by itself or not.
 */
import { connect } from "node:net";
import { closeIotaMqttClient, Inbox, iotaMqttClient, mqttHarness } from "./mqttHarness.js";

const h = await mqttHarness();
await h.cb.milestone([]);
const clients = [await iotaMqttClient(h.tcpUrl), await iotaMqttClient(h.wsUrl)];
for (const client of clients) {
  const inbox = new Inbox<unknown>();
  client.milestonesLatest((_topic, data) => inbox.push(data));
  await inbox.next();
}
const pending = connect(Number(new URL(h.tcpUrl).port), "127.0.0.1");
pending.on("error", () => undefined);
await new Promise<void>((resolve) => pending.once("connect", () => resolve()));

await h.api.close();
for (const client of clients) closeIotaMqttClient(client);
await h.close();
process.stdout.write(`closed ${JSON.stringify(h.api.stats())}\n`);

// Unreferenced: only reports, after the parent's patience would run out anyway, what still holds the process.
setTimeout(() => {
  process.stdout.write(`still-open ${process.getActiveResourcesInfo().join(",")}\n`);
  process.exit(3);
}, 8_000).unref();
