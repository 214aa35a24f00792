package com.example.coexist;

import org.mapstruct.Mapper;
import org.mapstruct.factory.Mappers;

/** MapStruct generates SampleMapperImpl. */
@Mapper
public interface SampleMapper {
  SampleMapper INSTANCE = Mappers.getMapper(SampleMapper.class);

  SampleDto toDto(Sample sample);

  /** Uses all three processors' classes: the mapper, AutoValue_Point and PointGrad. */
  static double energyOf(Sample sample) {
    SampleDto dto = INSTANCE.toDto(sample);
    return Point.of(dto.getX(), dto.getY()).energy();
  }
}
