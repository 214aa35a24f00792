package com.example.coexist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CoexistenceTest {
  @Test
  void autoValueMapStructAndAdjointTogether() {
    Sample s = new Sample();
    s.setX(3);
    s.setY(4);
    assertEquals(25.0, SampleMapper.energyOf(s), 1e-12);
    assertEquals("Point{x=3.0, y=4.0}", Point.of(3, 4).toString());
    assertEquals("SampleMapperImpl", SampleMapper.INSTANCE.getClass().getSimpleName());
  }

  @Test
  void gradients() {
    PointGrad.Energy e = PointGrad.energy(3, 4, 2);
    assertEquals(50.0, e.value(), 1e-12);
    assertEquals(12.0, e.x(), 1e-12);
    assertEquals(16.0, e.y(), 1e-12);
    assertEquals(25.0, e.scale(), 1e-12);
    PointGrad.Shifted s = PointGrad.shifted(0.5, -1);
    assertEquals(0.5 * 2 * (0.5 - 1) + Math.cos(-0.5) * -1, s.x(), 1e-12);
    assertEquals(0.5 * 2 * (-1 + 2) + Math.cos(-0.5) * 0.5, s.y(), 1e-12);
  }
}
