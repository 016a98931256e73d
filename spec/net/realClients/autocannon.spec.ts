import { describeDrainUnderLoad } from './support/drainMatrix';

// autocannon, 20 connections, GET and POST in turn on each. It reconnects by itself and does not count a request
// lost to a closed keep-alive socket, so the driver counts requests written and answered per socket (clients.cjs).
describeDrainUnderLoad('autocannon', ['GET', 'POST']);
