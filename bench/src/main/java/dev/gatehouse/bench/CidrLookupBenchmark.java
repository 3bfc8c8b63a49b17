package dev.gatehouse.bench;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.util.SubnetUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * "Does this set of networks contain this address?" over {@code size} random CIDRs: Gatehouse's
 * {@link CidrSet} (merged ranges, binary search) against a linear scan with commons-net's
 * SubnetUtils, the naive baseline. Probes are precomputed, half of them inside the set.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class CidrLookupBenchmark {
    @Param({"100000"})
    int size;

    CidrSet v4;
    CidrSet v6;
    SubnetUtils.SubnetInfo[] naive;
    IpAddress[] probes4;
    IpAddress[] probes6;
    String[] probeText;
    int i;

    @Setup
    public void setup() {
        Random r = new Random(42);
        List<Cidr> cidrs4 = new ArrayList<>();
        List<Cidr> cidrs6 = new ArrayList<>();
        naive = new SubnetUtils.SubnetInfo[size];
        for (int k = 0; k < size; k++) {
            int prefix = 16 + r.nextInt(17);
            Cidr c = new Cidr(IpAddress.v4(r.nextInt()), prefix);
            c = new Cidr(c.firstAddress(), prefix);
            cidrs4.add(c);
            SubnetUtils su = new SubnetUtils(c.toString());
            su.setInclusiveHostCount(true);
            naive[k] = su.getInfo();
            int p6 = 32 + r.nextInt(97);
            Cidr c6 = new Cidr(IpAddress.v6(0x2000000000000000L | (r.nextLong() >>> 4), r.nextLong()), p6);
            cidrs6.add(new Cidr(c6.firstAddress(), p6));
        }
        v4 = CidrSet.of(cidrs4);
        v6 = CidrSet.of(cidrs6);
        probes4 = new IpAddress[4096];
        probes6 = new IpAddress[4096];
        probeText = new String[4096];
        for (int k = 0; k < probes4.length; k++) {
            probes4[k] = k % 2 == 0 ? cidrs4.get(r.nextInt(size)).lastAddress() : IpAddress.v4(r.nextInt());
            probes6[k] = k % 2 == 0 ? cidrs6.get(r.nextInt(size)).lastAddress()
                    : IpAddress.v6(0x2000000000000000L | (r.nextLong() >>> 4), r.nextLong());
            probeText[k] = probes4[k].toString();
        }
    }

    @Benchmark
    public boolean cidrSetIpv4() {
        return v4.contains(probes4[i++ & 4095]);
    }

    @Benchmark
    public boolean cidrSetIpv6() {
        return v6.contains(probes6[i++ & 4095]);
    }

    @Benchmark
    public boolean subnetUtilsLinearScanIpv4() {
        String ip = probeText[i++ & 4095];
        for (SubnetUtils.SubnetInfo s : naive) {
            if (s.isInRange(ip)) {
                return true;
            }
        }
        return false;
    }
}
