const { request, Agent } = require('undici');
const agent = new Agent({ connections: 8 });
(async () => {
  for (let i = 0; i < 8; i++) { const t = performance.now(); const r = await request(`http://127.0.0.1:18091/api/v1/heartbeat/b-${i}`, { method: 'POST', dispatcher: agent }); await r.body.dump(); console.log('hb', (performance.now()-t).toFixed(2), 'ms', r.statusCode); await new Promise(r=>setTimeout(r,300)); }
  for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await request(`http://127.0.0.1:18091/health`, { dispatcher: agent }); await r.body.dump(); console.log('health', (performance.now()-t).toFixed(2), 'ms', r.statusCode); }
  process.exit(0);
})();
