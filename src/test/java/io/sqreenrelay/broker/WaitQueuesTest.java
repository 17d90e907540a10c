package io.sqreenrelay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WaitQueuesTest {

    @Test
    void theWaitsDoubleFromAQuarterSecondToAboutSeventeenMinutes() {
        long[] waits = WaitQueues.waits();
        assertThat(waits[0]).isEqualTo(250);
        assertThat(waits[waits.length - 1]).isEqualTo(1_024_000);
        assertThat(WaitQueues.queueName(250)).isEqualTo("relay.wait.250ms");
        assertThat(WaitQueues.queueName(4000)).isEqualTo("relay.wait.4s");
    }

    @Test
    void anEventWaitsInTheLongestQueueThatDoesNotOvershoot() {
        assertThat(WaitQueues.waitFor(5000)).isEqualTo(4000);
        assertThat(WaitQueues.waitFor(1000)).isEqualTo(1000);
        assertThat(WaitQueues.waitFor(999)).isEqualTo(500);
        assertThat(WaitQueues.waitFor(100)).isEqualTo(250);       // shorter than the shortest wait: the shortest
        assertThat(WaitQueues.waitFor(-5)).isEqualTo(250);
        assertThat(WaitQueues.waitFor(86_400_000)).isEqualTo(1_024_000);
    }

    @Test
    void aDeadLetterKeyIsReadFromItsOneEventBatch() {
        assertThat(DeadLetters.keyOf("[{\"key\":\"a:b:id-1\",\"internal\":false}]".getBytes())).isEqualTo("a:b:id-1");
        assertThat(DeadLetters.keyOf("not json".getBytes())).isNull();
    }
}
