// Preloaded into a server under test: every attempt to reach a host that is not this machine
// (a TCP connect, a UDP send, a DNS lookup) is written to stderr as "OUTBOUND <what>" and fails.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

const LOCAL = /^(127\.|::1$|::ffff:127\.|localhost$|0\.0\.0\.0$)/;
const report = (what) => process.stderr.write(`OUTBOUND ${what}\n`);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { port: args[0], host: args[1] };
  const host = options.path ? 'localhost' : String(options.host ?? 'localhost');
  if (!LOCAL.test(host)) {
    report(`tcp ${host}:${options.port}`);
    process.nextTick(() => this.destroy(new Error(`outbound connection to ${host} refused by the test`)));
    return this;
  }
  return connect.apply(this, args);
};

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (...args) {
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  if (address && !LOCAL.test(address)) report(`udp ${address}`);
  return send.apply(this, args);
};

for (const target of [dns, dns.promises]) {
  const lookup = target.lookup;
  target.lookup = function (hostname, ...rest) {
    if (!LOCAL.test(String(hostname))) report(`dns ${hostname}`);
    return lookup.call(this, hostname, ...rest);
  };
}
