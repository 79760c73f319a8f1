# pipeline.py
import asyncio
import os

import pgqrs
from pgqrs.decorators import step, workflow

DSN = os.environ.get('PGQRS_DSN', 'sqlite://pipeline.db')


# A step runs once per run, ever: its output is stored when it returns, and
# executing the run again gives the stored output instead of running it.
@step
async def fetch_data(ctx, url: str) -> dict:
    print('  fetch_data:', url)
    return {'url': url, 'rows': [30, 10, 20]}


@step
async def transform(ctx, data: dict) -> list:
    print('  transform:', len(data['rows']), 'rows')
    return sorted(data['rows'])


@step
async def save(ctx, rows: list) -> dict:
    print('  save:', rows)
    return {'saved': len(rows), 'total': sum(rows)}


@workflow
async def data_pipeline(ctx, url: str):
    data = await fetch_data(ctx, url)
    rows = await transform(ctx, data)
    return await save(ctx, rows)


async def main():
    store = await pgqrs.connect(DSN)
    admin = pgqrs.admin(store)
    await admin.install()

    # A run executed by the program that made it.
    url = 'https://example.com/data.csv'
    ctx = await admin.create_workflow('data_pipeline', url)
    print('first execution:')
    print('result', await data_pipeline(ctx, url))
    print('second execution:')
    print('result', await data_pipeline(ctx, url))    # replayed, nothing runs

    # A run on a queue, executed by a worker: if either process dies, the
    # run goes on from its first step not completed.
    await pgqrs.workflow().name('data_pipeline').store(store).create()
    msg = await pgqrs.workflow().name('data_pipeline').store(store).trigger(
        'https://example.com/more.csv').execute()
    consumer = await store.consumer('data_pipeline')
    worker = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).handle_workflow(data_pipeline).poll(store))
    print('queued run:')
    print('result', await pgqrs.run().message(msg).store(store).result())
    worker.cancel()                         # stops the worker gracefully
    await asyncio.gather(worker, return_exceptions=True)


asyncio.run(main())
