from pyflink.datastream import StreamExecutionEnvironment
env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(*[])
env.set_parallelism(**{})
env.set_parallelism("four")
env.set_parallelism(-1, 2, 3)
env.enable_checkpointing(interval=None)
env.enable_checkpointing(lambda: 1)
getattr(env, "set_parallelism")(4)
env.get_config().set_auto_watermark_interval([])
env.key_by
(env)()
del env
env.set_parallelism(1)
import time

def slow(x):
    time.sleep(1)
    return x


env.from_collection([1]).map(slow)
