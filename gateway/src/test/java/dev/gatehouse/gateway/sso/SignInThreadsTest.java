package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SignInThreadsTest {

    @Test
    void anOrganisationWhoseProviderHangsHoldsOnlyItsOwnShare() throws Exception {
        try (SignInThreads threads = new SignInThreads(4, 2, 3, 100)) {
            CountDownLatch hung = new CountDownLatch(1);
            AtomicInteger slowStarted = new AtomicInteger();
            for (int i = 0; i < 5; i++) { // 2 run, 3 wait
                assertThat(threads.submit("slow", () -> {
                    slowStarted.incrementAndGet();
                    try {
                        hung.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, () -> { })).isTrue();
            }
            assertThat(threads.submit("slow", () -> { }, () -> { })).as("its queue is full: refused at once").isFalse();
            CountDownLatch other = new CountDownLatch(5);
            for (int i = 0; i < 5; i++) { // its own share: 2 run, 3 wait
                assertThat(threads.submit("other", other::countDown, () -> { })).isTrue();
            }
            assertThat(other.await(5, TimeUnit.SECONDS)).as("another organisation's sign-ins go on").isTrue();
            assertThat(slowStarted.get()).as("the hung organisation runs only its share").isEqualTo(2);
            hung.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (slowStarted.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(slowStarted.get()).as("then its queue drains, in order").isEqualTo(5);
        }
    }

    @Test
    void beyondTheOrganisationsItMayHoldWaitingANewOneIsRefused() throws Exception {
        try (SignInThreads threads = new SignInThreads(2, 1, 0, 2)) {
            CountDownLatch hung = new CountDownLatch(1);
            Runnable hang = () -> {
                try {
                    hung.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            assertThat(threads.submit("a", hang, () -> { })).isTrue();
            assertThat(threads.submit("b", hang, () -> { })).isTrue();
            assertThat(threads.submit("c", hang, () -> { })).isFalse();
            hung.countDown();
        }
    }

    @Test
    void manyOrganisationsWithHungProvidersLeaveThreadsForTheNext() throws Exception {
        try (SignInThreads threads = new SignInThreads(64, 2, 32, 1024)) {
            CountDownLatch hung = new CountDownLatch(1);
            for (int org = 0; org < 20; org++) { // 20 organisations, each with both its threads stuck
                for (int i = 0; i < 2; i++) {
                    assertThat(threads.submit("org" + org, () -> {
                        try {
                            hung.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, () -> { })).isTrue();
                }
            }
            CountDownLatch done = new CountDownLatch(1);
            assertThat(threads.submit("healthy", done::countDown, () -> { })).isTrue();
            assertThat(done.await(5, TimeUnit.SECONDS)).as("a 21st organisation still signs in").isTrue();
            hung.countDown();
        }
    }

    @Test
    void aFailingTaskDoesNotStopItsLaneAndAcceptedWorkIsAlwaysAnswered() throws Exception {
        SignInThreads threads = new SignInThreads(1, 1, 5, 10);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        threads.submit("a", () -> {
            started.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("boom");
        }, answered::incrementAndGet);
        threads.submit("a", answered::incrementAndGet, answered::incrementAndGet);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        threads.close(); // the gateway stops while work waits behind the first
        gate.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (answered.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(answered.get()).as("the queued task was answered (refused at shutdown)").isEqualTo(1);
    }
}
