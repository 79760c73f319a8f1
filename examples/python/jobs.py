# jobs.py
import asyncio
import os

import pgqrs

# The DSN picks the database: a file next to the script here,
# postgresql://user@host/dbname in production.
DSN = os.environ.get('PGQRS_DSN', 'sqlite://jobs.db')


async def main():
    store = await pgqrs.connect(DSN)
    admin = pgqrs.admin(store)
    await admin.install()                   # creates or upgrades the tables
    await store.queue('tasks')              # made once, found afterwards

    # Produce: any JSON value is a payload.
    msg_id = await pgqrs.produce(store, 'tasks', {'task': 'send_email', 'to': 'user@example.com'})
    print('enqueued message', msg_id)

    # Consume one message: the handler runs, then the message is archived.
    async def handler(msg):
        print(f'processing message {msg.id}: {msg.payload}')
        return True

    await pgqrs.consume(store, 'tasks', handler)

    # A worker handles messages as they come, until it is interrupted.
    await pgqrs.produce_batch(store, 'tasks', [
        {'task': 'send_email', 'to': to} for to in ['ada@example.com', 'bob@example.com']])
    consumer = await store.consumer('tasks')
    sent = []

    async def send_email(msg):
        print('sending to', msg.payload['to'])
        sent.append(msg.id)
        if len(sent) == 2:
            await consumer.interrupt()      # a real service runs until told to stop

    try:
        await pgqrs.dequeue().worker(consumer).handle(send_email).poll(store)
    except pgqrs.StateTransitionError:
        print('worker interrupted after', len(sent), 'messages')

    metrics = await (await store.get_queues()).metrics('tasks')
    print(f"queue tasks: {metrics['pending_messages']} pending, "
          f"{metrics['archived_messages']} archived")


asyncio.run(main())
